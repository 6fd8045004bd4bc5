"""oci_pull's lock file: the digest each pulled tag resolved to, in the user's workspace.

A repository rule may not write into the source tree, so the repository
writes a program instead: `bazel run @<name>//:pin` records the digest the
repository resolved. The file is JSON, one entry per registry, repository
and tag, written with sorted keys, two-space indent and a final newline, so
that the same pins always give the same bytes:

    {
      "index.docker.io/library/debian:bookworm": {
        "digest": "sha256:<64 lowercase hex digits>"
      }
    }

`{}` is an empty lock. oci_pull reads the file through its label
(repository_ctx.path), which makes Bazel fetch the repository again when the
file changes: a new entry then takes effect at the next build.

The file is checked before use: json.decode cannot be caught and its error
names no file, so a small scanner walks the file's tokens first and fails
naming the file, the offset and what was expected there.
"""

def valid_digest(d):
    """Whether d is a sha256 digest as this repository writes them.

    Digests go into BUILD text, file names, URLs and scripts; anything else
    could inject content into them.

    Args:
      d: any value.

    Returns:
      True when d is a string "sha256:" and 64 lowercase hex digits.
    """
    if type(d) != "string" or len(d) != 71 or not d.startswith("sha256:"):
        return False
    for i in range(7, 71):
        if d[i] not in "0123456789abcdef":
            return False
    return True

def lock_key(registry, repository, tag):
    """The lock file's key for a tag: "<registry>/<repository>:<tag>"."""
    return "%s/%s:%s" % (registry, repository, tag)

def _token_error(where, offset, message):
    fail("%s: offset %d: %s" % (where, offset, message))

def _tokens(text, where):
    """The JSON tokens of text, as (kind, text, offset).

    kind is one of "{", "}", ":", "," and "s" (a string, quotes included,
    its escapes checked). Numbers, literals and arrays are no part of a
    lock file, so they fail here as unexpected characters.
    """
    tokens = []
    start = -1  # the offset of the open string's quote, or -1
    escape = False
    hex_left = 0  # hex digits still due after \u
    for i in range(len(text)):
        c = text[i]
        if start < 0:
            if c == "\"":
                start = i
            elif c in "{}:,":
                tokens.append((c, c, i))
            elif c not in " \t\r\n":
                _token_error(where, i, "expected a string or one of { } : , and found %r" % c)
        elif hex_left:
            if c not in "0123456789abcdefABCDEF":
                _token_error(where, i, "expected a hex digit of a \\u escape, found %r" % c)
            hex_left -= 1
        elif escape:
            if c not in "\"\\/bfnrtu":
                _token_error(where, i, "invalid escape \\%s in a string" % c)
            hex_left = 4 if c == "u" else 0
            escape = False
        elif c == "\\":
            escape = True
        elif c == "\"":
            tokens.append(("s", text[start:i + 1], start))
            start = -1
        elif c < " ":
            _token_error(where, i, "control character in a string")
    if start >= 0:
        _token_error(where, start, "unterminated string")
    return tokens

# The lock file's grammar: state -> {token kind: next state}.
_NEXT = {
    "start": {"{": "key or end"},
    "key or end": {"s": "colon after key", "}": "end"},
    "key": {"s": "colon after key"},
    "colon after key": {":": "entry"},
    "entry": {"{": "field or end of entry"},
    "field or end of entry": {"s": "colon after field", "}": "comma or end"},
    "field": {"s": "colon after field"},
    "colon after field": {":": "value"},
    "value": {"s": "comma or end of entry"},
    "comma or end of entry": {",": "field", "}": "comma or end"},
    "comma or end": {",": "key", "}": "end"},
    "end": {},
}

_EXPECTED = {
    "start": "{",
    "key or end": "a key (\"<registry>/<repository>:<tag>\") or }",
    "key": "a key (\"<registry>/<repository>:<tag>\")",
    "colon after key": ":",
    "entry": "{ (an entry: {\"digest\": \"sha256:...\"})",
    "field or end of entry": "\"digest\" or }",
    "field": "\"digest\"",
    "colon after field": ":",
    "value": "a string",
    "comma or end of entry": ", or }",
    "comma or end": ", or }",
    "end": "the end of the file",
}

def _string(where, token, offset, state, entries, key):
    """Applies a string token read in `state`; returns the entry's key."""
    value = json.decode(token)
    if state in ["key or end", "key"]:
        if value in entries:
            _token_error(where, offset, "key %r appears twice" % value)
        entries[value] = {}
        return value
    if state == "value":
        entries[key]["digest"] = value
    elif value != "digest":
        _token_error(where, offset, "key %r: unknown field %r (an entry has only \"digest\")" % (key, value))
    elif "digest" in entries[key]:
        _token_error(where, offset, "key %r: \"digest\" appears twice" % key)
    return key

def _entries(text, where):
    """The lock file's entries, key -> {"digest": ...}; fails naming where and the offset."""
    entries = {}
    key = None
    state = "start"
    for kind, token, offset in _tokens(text, where):
        next = _NEXT[state].get(kind)
        if next == None:
            found = token if len(token) <= 40 else token[:37] + "..."
            _token_error(where, offset, "expected %s, found %s" % (_EXPECTED[state], found))
        if kind == "s":
            key = _string(where, token, offset, state, entries, key)
        state = next
    if state != "end":
        _token_error(where, len(text), "expected %s, found the end of the file" % _EXPECTED[state])
    return entries

def read_lock(rctx, label, context):
    """Reads and checks a lock file.

    Args:
      rctx: the repository context; reading through it makes the repository
        depend on the file.
      label: the lock file's label.
      context: who reads it, e.g. "oci_pull(base)", for messages.

    Returns:
      struct(entries = {key: digest}, sha256 = the file's sha256 (hex),
      path = its path in the workspace, or None when the label is in
      another repository).
    """
    path = rctx.path(label)
    text = rctx.read(path)
    where = "%s: lock file %s (%s)" % (context, label, path)
    result = rctx.execute(["sha256sum", path])
    if result.return_code != 0:
        fail("%s: sha256sum failed: %s" % (where, result.stderr))
    entries = {}
    for key, fields in _entries(text, where).items():
        digest = fields.get("digest")
        if digest == None:
            fail("%s: key %r: the entry has no \"digest\"" % (where, key))
        if not valid_digest(digest):
            fail("%s: key %r: digest %r is not \"sha256:\" and 64 lowercase hex digits" % (where, key, digest))
        entries[key] = digest
    in_workspace = label.workspace_name == ""
    return struct(
        entries = entries,
        sha256 = result.stdout.split(" ")[0],
        path = (label.package + "/" + label.name).lstrip("/") if in_workspace else None,
    )

def _content(entries):
    """The lock file's bytes for entries ({key: digest}): sorted keys, a final newline."""
    return json.encode_indent({k: {"digest": entries[k]} for k in sorted(entries)}, indent = "  ") + "\n"

def _sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _message_script(message, status):
    """A pin program with nothing to write: it prints message and exits with status."""
    return "#!/bin/sh\necho %s%s\nexit %d\n" % (_sh_quote(message), " >&2" if status else "", status)

# Writes the new content beside the lock file, then renames it over the
# file: a reader sees the old file or the new one, never part of one. The
# content was computed from the file as Bazel read it, so a file changed
# since then is left alone.
_PIN = """#!/bin/sh
set -eu
if [ -z "${BUILD_WORKSPACE_DIRECTORY:-}" ]; then
  echo 'run this with bazel run: it writes the lock file in the workspace' >&2
  exit 1
fi
lock="$BUILD_WORKSPACE_DIRECTORY"/%s
if [ "$(sha256sum < "$lock" | cut -d ' ' -f 1)" != %s ]; then
  echo "$lock changed since Bazel read it; run this again" >&2
  exit 1
fi
tmp=$(mktemp "$lock.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat > "$tmp" <<'IMAGEWRITER_LOCK_END'
%sIMAGEWRITER_LOCK_END
chmod --reference="$lock" "$tmp"
mv -f "$tmp" "$lock"
trap - EXIT
echo "$lock": %s
"""

def pin_script(context, lock_file, lock, key, digest):
    """The program `bazel run @<name>//:pin` runs.

    Args:
      context: e.g. "oci_pull(base)", for messages.
      lock_file: the lock file's label, or None.
      lock: read_lock's result, or None.
      key: lock_key of the pulled tag, or None when there is no tag.
      digest: the digest the repository fetched.

    Returns:
      The text of a shell script that records key -> digest in the lock
      file, keeping its other entries, or says why there is nothing to do.
    """
    if lock == None:
        return _message_script("%s has no lock_file: give it lock_file = \"//:oci.lock.json\" (a file holding {}), or pin it with digest = \"%s\"" % (context, digest), 1)
    if key == None:
        return _message_script("%s pulls by digest (%s): there is no tag to record" % (context, digest), 0)
    if lock.entries.get(key) == digest:
        return _message_script("%s already records %s -> %s" % (lock_file, key, digest), 0)
    if lock.path == None:
        return _message_script("%s: the lock file %s is in another repository; pin writes only into this workspace" % (context, lock_file), 1)
    entries = dict(lock.entries)
    entries[key] = digest
    return _PIN % (
        _sh_quote(lock.path),
        _sh_quote(lock.sha256),
        _content(entries),
        _sh_quote("recorded %s -> %s" % (key, digest)),
    )

# The BUILD text of the pin program.
PIN_TARGET = """
# `bazel run` it to record the pulled digest in the lock file.
sh_binary(
    name = "pin",
    srcs = ["pin.sh"],
    visibility = ["//visibility:public"],
)
"""
