"""Registry credentials for repository rules.

Finds the credentials for a registry the way docker and the containers tools
(skopeo, podman) do, so that a `docker login` or `podman login` is enough:

1. containers' auth.json: `$REGISTRY_AUTH_FILE`, else
   `$XDG_RUNTIME_DIR/containers/auth.json`; then
   `$HOME/.config/containers/auth.json`;
2. docker's `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`).

In each file, in order: a `credHelpers` entry for the registry (the
`docker-credential-<name> get` protocol: the server URL on stdin, JSON
`{Username, Secret}` out), an `auths` entry (`auth`, base64 of
`user:password`; `identitytoken`, an OAuth2 refresh token), then docker's
global `credsStore` helper. Keys may carry a scheme (`https://host`) or,
in auth.json, a repository path (`host/team/app`, longest wins).

The first source that answers wins; its name (a file, a helper) goes into
messages, the secret never does. Secrets stay out of command lines, where
`ps` shows them: base64 is decoded and curl reads credentials from files
in a private (0700) directory, each deleted once the command that reads
it has run.

The layer fetch of a shallow pull (fetch_blob.py, an action, where Starlark
cannot run) has its own copy of this lookup in Python: the two MUST match
(files, order, key normalization, helper protocol). Change both together.
"""

# The environment variables the lookup reads; repository rules list them in
# `environ` so that a change re-runs the fetch.
AUTH_ENVIRON = ["DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "HOME"]

PRIVATE_DIR = ".imagewriter-auth"

# The environment the lookup ran with, for fetch_blob.py (which must use the
# same name): actions see none of AUTH_ENVIRON.
AUTH_ENV_FILE = "auth_env.json"

_DOCKER_HUB = "https://index.docker.io/v1/"

def _normalize(key):
    """A config key or registry name as `host[/path]`, docker.io for Docker Hub."""
    for scheme in ["https://", "http://"]:
        if key.startswith(scheme):
            # A URL key names a registry, not a repository: docker and
            # skopeo keep its host[:port] alone ("https://host:5000/v1/").
            key = key[len(scheme):].split("/")[0]
    key = key.rstrip("/")
    if key in ["index.docker.io/v1", "index.docker.io", "registry-1.docker.io", "docker.io"]:
        return "docker.io"
    for hub in ["index.docker.io/", "registry-1.docker.io/"]:
        if key.startswith(hub):
            return "docker.io/" + key[len(hub):]
    return key

def _candidates(registry, repository):
    """Keys that may hold the credentials, most specific first."""
    host = _normalize(registry)
    parts = repository.split("/")
    keys = ["%s/%s" % (host, "/".join(parts[:n])) for n in range(len(parts), 0, -1)]
    return keys + [host]

def _lookup(table, candidates):
    """The value of `table` whose normalized key is the first candidate found."""
    normalized = {_normalize(k): v for k, v in (table or {}).items()}
    for key in candidates:
        if key in normalized:
            return normalized[key]
    return None

def auth_files(rctx):
    """The files the lookup reads, in order.

    Args:
      rctx: the repository context, for its environment.

    Returns:
      A list of (path, whether it is a docker config.json).
    """
    env = rctx.os.environ
    home = env.get("HOME", "")
    files = []
    if env.get("REGISTRY_AUTH_FILE"):
        files.append((env["REGISTRY_AUTH_FILE"], False))
    elif env.get("XDG_RUNTIME_DIR"):
        files.append((env["XDG_RUNTIME_DIR"] + "/containers/auth.json", False))
    if home:
        files.append((home + "/.config/containers/auth.json", False))
    docker_dir = env.get("DOCKER_CONFIG") or (home + "/.docker" if home else "")
    if docker_dir:
        files.append((docker_dir + "/config.json", True))
    return files

def write_auth_env(rctx):
    """Records where credentials are looked up, for the layer fetch actions.

    The file holds paths, not secrets. It is deliberately not an action
    input: the values differ between users and machines, and the blobs the
    actions fetch, checked against their digests, do not depend on them, so
    the action keys must not either (caches then share the blobs).
    PATH is there too, for credential helpers: Bazel's actions get a fixed one.

    Args:
      rctx: the repository context; the file goes in its root.
    """
    env = rctx.os.environ
    rctx.file(AUTH_ENV_FILE, json.encode({k: env.get(k, "") for k in AUTH_ENVIRON + ["PATH"]}), executable = False)

def private_dir(rctx):
    """Creates a directory only this user can read, for files that hold secrets.

    Args:
      rctx: the repository context; the directory is in its root.

    Returns:
      The directory's path, relative to the repository's root.
    """
    result = rctx.execute(["sh", "-c", "umask 077 && mkdir -p " + PRIVATE_DIR])
    if result.return_code != 0:
        fail("cannot create %s: %s" % (PRIVATE_DIR, result.stderr))
    return PRIVATE_DIR

def _fail(rctx, context, message):
    """Fails the fetch, first removing any file that held a secret."""
    remove_private_dir(rctx)
    fail("%s: %s" % (context, message))

def _credentials(login, secret, source):
    if login == "<token>":
        return struct(login = "", secret = "", identity_token = secret, source = source)
    return struct(login = login, secret = secret, identity_token = "", source = source)

def _from_helper(rctx, context, name, registry, named_by):
    """Runs docker-credential-<name> get; None if it has nothing for the registry."""
    source = "credential helper docker-credential-%s (named in %s)" % (name, named_by)
    helper = rctx.which("docker-credential-" + name)
    if helper == None:
        _fail(rctx, context, "%s: %s is not on PATH" % (registry, source))
    server = _DOCKER_HUB if _normalize(registry) == "docker.io" else registry
    result = rctx.execute(["sh", "-c", 'printf %s "$1" | "$2" get', "sh", server, str(helper)])
    if result.return_code != 0:
        if "not found" in (result.stdout + result.stderr).lower():
            return None
        _fail(rctx, context, "%s: %s failed (exit %d): %s" % (registry, source, result.return_code, result.stderr.strip()[:200]))
    reply = json.decode(result.stdout)
    return _credentials(reply.get("Username", ""), reply.get("Secret", ""), source)

def _decode_auth(rctx, encoded, registry, source, context):
    """user:password from an `auth` value, decoded by base64(1) from a private file."""
    path = private_dir(rctx) + "/auth.b64"
    rctx.file(path, encoded, executable = False)
    result = rctx.execute(["base64", "-d", path])
    rctx.delete(path)
    login, sep, secret = result.stdout.partition(":")
    if result.return_code != 0 or not sep:
        _fail(rctx, context, "%s: the `auth` entry in %s is not base64 of user:password" % (registry, source))
    return login, secret

def _from_entry(rctx, entry, registry, source, context):
    """Credentials of an `auths` entry; None for docker's empty `{}` placeholders."""
    login, secret = "", ""
    if entry.get("auth"):
        login, secret = _decode_auth(rctx, entry["auth"], registry, source, context)
    if entry.get("identitytoken"):
        return struct(login = login, secret = "", identity_token = entry["identitytoken"], source = source)
    if login or secret:
        return _credentials(login, secret, source)
    return None

# Checks a file before json.decode, whose errors cannot be caught and name no
# file. Python's messages give the line and column, never the content, so a
# file holding secrets does not leak them.
_JSON_OBJECT_CHECK = """
import json, sys
try:
    value = json.load(open(sys.argv[1], "rb"))
except (ValueError, UnicodeDecodeError) as e:
    sys.exit(str(e))
if not isinstance(value, dict):
    sys.exit("expected a JSON object, not " + type(value).__name__)
"""

def read_json_object(rctx, path, what):
    """The JSON object in a file, or why the file does not hold one.

    Args:
      rctx: the repository context.
      path: the file.
      what: how a message names the file.

    Returns:
      (dict or None, error message or None); the message names `what`.
    """
    result = rctx.execute(["python3", "-c", _JSON_OBJECT_CHECK, path])
    if result.return_code != 0:
        return None, "%s is not a JSON object: %s" % (what, (result.stderr.strip() or "python3 failed").splitlines()[-1])
    return json.decode(rctx.read(path)), None

def _from_file(rctx, path, docker, registry, candidates, context):
    config, error = read_json_object(rctx, path, path)
    if error:
        _fail(rctx, context, error)
    helper = _lookup(config.get("credHelpers"), candidates)
    if helper:
        found = _from_helper(rctx, context, helper, registry, path)
        if found:
            return found
    entry = _lookup(config.get("auths"), candidates)
    if entry:
        found = _from_entry(rctx, entry, registry, "`auths` in " + path, context)
        if found:
            return found
    if docker and config.get("credsStore"):
        return _from_helper(rctx, context, config["credsStore"], registry, path + " (credsStore)")
    return None

def find_credentials(rctx, registry, repository, context):
    """Finds the credentials for a registry.

    Args:
      rctx: the repository context.
      registry: host[:port].
      repository: the path in the registry; auth.json keys may name it.
      context: what is fetching, e.g. "oci_pull(base)", for the message
        when a source is unusable (a helper missing or failing, a malformed
        entry), which fails the fetch.

    Returns:
      struct(login, secret, identity_token, source), or None when no source
      has credentials for the registry.
    """
    candidates = _candidates(registry, repository)
    for path, docker in auth_files(rctx):
        if rctx.path(path).exists:
            found = _from_file(rctx, path, docker, registry, candidates, context)
            if found:
                return found
    return None

def searched(rctx):
    """The files find_credentials reads, for a message when it found nothing."""
    return ", ".join([path for path, _ in auth_files(rctx)]) or "no file ($HOME is not set)"

# The characters below 0x20, and DEL.
_CONTROL = "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177"

def _quote(value, what):
    """A string in curl's config-file syntax.

    A newline would end the quoted string and start another curl option, so
    any control character fails; the message names what the value is (where
    the credential came from), never the value.
    """
    for c in value.elems():
        if c in _CONTROL:
            fail("%s contains a newline or other control character, which cannot be passed to curl safely" % what)
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')

def curl_config(rctx, name, basic = None, bearer = None, form = None, source = "the registry's credentials"):
    """Writes a curl config file (-K) that holds credentials, in the private directory.

    Args:
      rctx: the repository context.
      name: the file's name.
      basic: (login, password) for basic authentication, or None.
      bearer: a Bearer token, or None.
      form: a dict POSTed URL-encoded, or None.
      source: where basic, bearer or form came from, for a message.

    Returns:
      The file's path.
    """
    lines = []
    if basic:
        lines.append("user = " + _quote("%s:%s" % basic, "the login or password of " + source))
    if bearer:
        lines.append("header = " + _quote("Authorization: Bearer " + bearer, "the Bearer token from " + source))
    for key, value in (form or {}).items():
        lines.append("data-urlencode = " + _quote("%s=%s" % (key, value), "the %s from %s" % (key, source)))
    path = private_dir(rctx) + "/" + name
    rctx.file(path, "\n".join(lines) + "\n", executable = False)
    return path

def remove_private_dir(rctx):
    rctx.delete(PRIVATE_DIR)
