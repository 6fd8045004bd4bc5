"""oci_pull: a repository rule that fetches an image or index into an OCI layout.

With layer_handling = "shallow" (the default) the repository holds the index,
manifests and configs, and each layer blob is an oci_blob target whose action
downloads it when some action reads it (rules/private/pulled.bzl); building
an image FROM it moves metadata only until a layout, archive, load or push
needs the bytes; the action finds the registry's credentials itself, so
none is in its key. "eager" fetches every layer here.

Manifests are fetched with curl (Bazel 4's downloader cannot send the
Accept header registries need) and checked against their digest; blobs go
through Bazel's downloader with sha256 = digest, so the repository cache
serves repeated fetches. Registries that answer 401 with a Bearer challenge
get a token, with the credentials of docker's and the containers tools'
config files and credential helpers (auth.bzl), or anonymously; registries
that answer with a Basic challenge get those credentials directly. Loopback
registries are spoken to over plain HTTP.

A tag recorded in `lock_file` is fetched by its recorded digest and never
resolved; `bazel run @<name>//:pin` records one (lock.bzl).
"""

load(":auth.bzl", "AUTH_ENVIRON", "PRIVATE_DIR", "curl_config", "find_credentials", "private_dir", "read_json_object", "remove_private_dir", "searched", "write_auth_env")
load(":lock.bzl", "PIN_TARGET", "lock_key", "pin_script", "read_lock", "valid_digest")

_ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])

_INDEXES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]

def _name(rctx):
    """The name the user gave, for messages; Bzlmod's canonical name is longer."""
    return rctx.attr.target_name or rctx.name

def _is_loopback(registry):
    host = registry.split(":")[0] if not registry.startswith("[") else registry.split("]")[0] + "]"
    return host in ["localhost", "[::1]"] or host.startswith("127.")

def _base_url(rctx):
    scheme = "http" if _is_loopback(rctx.attr.registry) else "https"
    return "%s://%s/v2/%s" % (scheme, rctx.attr.registry, rctx.attr.repository)

def _fail(rctx, message):
    """Fails the fetch, first removing any file that held a secret."""
    remove_private_dir(rctx)
    fail("oci_pull(%s): %s" % (_name(rctx), message))

def _curl(rctx, url, output, state, config = None):
    """GETs url into output (POSTs with a form config); returns (status code, response headers).

    Credentials go to curl in a private config file (-K), never on its
    command line. Transient failures are retried by curl, with backoff.
    """
    args = [
        "curl",
        "-sS",
        "-L",
        "-o",
        output,
        "-D",
        output + ".headers",
        "-w",
        "%{http_code}",
        "-H",
        "Accept: " + _ACCEPT,
        # 5xx, 429 and timeouts: three more tries, 1, 2 and 4 seconds apart.
        "--retry",
        "3",
    ]
    if config == None and (state.get("token") or state.get("basic")):
        credentials = state.get("credentials")
        config = curl_config(
            rctx,
            "curl.conf",
            basic = state.get("basic"),
            bearer = state.get("token"),
            source = credentials.source if credentials else "the token endpoint (anonymous)",
        )
    if config:
        args += ["-K", config]
    result = rctx.execute(args + [url])
    if config and config.startswith(PRIVATE_DIR):
        # Secrets live on disk only while curl runs.
        rctx.delete(config)
    if result.return_code != 0:
        _fail(rctx, "fetching %s failed: %s" % (url, result.stderr))
    return int(result.stdout.strip()[-3:]), rctx.read(output + ".headers")

def _challenge(headers):
    """(scheme, parameters) of a 401 response's WWW-Authenticate header, or None."""
    for line in headers.split("\n"):
        if not line.lower().startswith("www-authenticate:"):
            continue
        value = line.split(":", 1)[1].strip().strip("\r")
        scheme, _, rest = value.partition(" ")
        params = {}
        for part in rest.split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                params[k.strip().lower()] = v.strip().strip('"')
        return scheme.lower(), params
    return None

def _credentials(rctx, state):
    """The registry's credentials, looked up once, on the first 401."""
    if "credentials" not in state:
        state["credentials"] = find_credentials(
            rctx,
            rctx.attr.registry,
            rctx.attr.repository,
            "oci_pull(%s)" % _name(rctx),
        )
    return state["credentials"]

def _source(rctx, credentials):
    if credentials:
        return "the credentials from " + credentials.source
    return "anonymous access (no credentials for it in %s)" % searched(rctx)

def _realm_ok(realm):
    """Whether a Bearer realm may get credentials: https, or http to a loopback host."""
    if realm.startswith("https://"):
        return True
    if not realm.startswith("http://"):
        return False
    authority = realm[len("http://"):]
    for sep in ["/", "?", "#"]:
        authority = authority.split(sep)[0]
    host = authority.split("@")[-1]
    host = host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
    return host in ["127.0.0.1", "localhost", "[::1]"]

def _token(rctx, params, credentials):
    """A Bearer token from the challenge's realm: with a password, a refresh token, or none."""
    scope = "repository:%s:pull" % rctx.attr.repository
    service = params.get("service", "")
    realm = params["realm"]
    if not _realm_ok(realm):
        _fail(rctx, "%s: the Bearer realm %r is not https:// (or http:// to 127.0.0.1, localhost or [::1])" % (
            rctx.attr.registry,
            realm,
        ))
    config = None
    if credentials and credentials.identity_token:
        config = curl_config(rctx, "token.conf", form = {
            "grant_type": "refresh_token",
            "refresh_token": credentials.identity_token,
            "service": service,
            "scope": scope,
            "client_id": "imagewriter",
        }, source = credentials.source)
        url = realm
    else:
        if credentials:
            config = curl_config(rctx, "token.conf", basic = (credentials.login, credentials.secret), source = credentials.source)
        url = "%s?service=%s&scope=%s" % (realm, service, scope)

    # The reply holds the token: it goes in the private directory, which every
    # end of the fetch removes.
    reply_path = private_dir(rctx) + "/token.json"
    status, _ = _curl(rctx, url, reply_path, {}, config = config or "/dev/null")
    if status != 200:
        _fail(rctx, "%s: the token endpoint %s refused %s (HTTP %d)" % (
            rctx.attr.registry,
            realm,
            _source(rctx, credentials),
            status,
        ))
    reply, error = read_json_object(rctx, reply_path, "the reply of the token endpoint %s" % realm)
    if error:
        _fail(rctx, "%s: %s" % (rctx.attr.registry, error))
    rctx.delete(reply_path)
    rctx.delete(reply_path + ".headers")
    return reply.get("token") or reply.get("access_token")

def _authenticate(rctx, headers, state):
    """Answers a 401: a Bearer token, or basic credentials, into state."""
    challenge = _challenge(headers)
    credentials = _credentials(rctx, state)
    if challenge and challenge[0] == "bearer" and "realm" in challenge[1]:
        state["challenge"] = challenge[1]
        state["token"] = _token(rctx, challenge[1], credentials)
    elif challenge and challenge[0] == "basic" and credentials and not credentials.identity_token:
        state["basic"] = (credentials.login, credentials.secret)
    else:
        _fail(rctx, "%s wants credentials (%s) and there are none usable: %s" % (
            rctx.attr.registry,
            challenge[0] if challenge else "no challenge",
            _source(rctx, credentials),
        ))

def _check_digest(rctx, d, where):
    """Fails unless d is sha256: and 64 lowercase hex digits.

    Digests from a registry's JSON go into BUILD text, file names and URLs;
    anything else could inject content into them.
    """
    if not valid_digest(d):
        _fail(rctx, "%s/%s: %s has digest %r, not sha256: and 64 lowercase hex digits" % (
            rctx.attr.registry,
            rctx.attr.repository,
            where,
            d,
        ))

def _check_manifest_digests(rctx, manifest, where):
    """Checks the config's and every layer's digest of a manifest before any use."""
    _check_digest(rctx, manifest.get("config", {}).get("digest"), "the config of " + where)
    for i, layer in enumerate(manifest.get("layers", [])):
        _check_digest(rctx, layer.get("digest"), "layer %d of %s" % (i, where))

def _sha256(rctx, path):
    result = rctx.execute(["sha256sum", path])
    if result.return_code != 0:
        fail("oci_pull(%s): sha256sum %s failed: %s" % (_name(rctx), path, result.stderr))
    return "sha256:" + result.stdout.split(" ")[0]

def _fetch_manifest(rctx, reference, state):
    """Fetches a manifest or index by tag or digest into the layout; returns (digest, parsed, media type, size)."""
    url = "%s/manifests/%s" % (_base_url(rctx), reference)
    tmp = "manifest.tmp"
    status, headers = _curl(rctx, url, tmp, state)
    if status == 401 and not state.get("authenticated"):
        state["authenticated"] = True
        _authenticate(rctx, headers, state)
        status, headers = _curl(rctx, url, tmp, state)
    if status in [401, 403]:
        _fail(rctx, "%s refused %s (HTTP %d for %s)" % (
            rctx.attr.registry,
            _source(rctx, state.get("credentials")),
            status,
            url,
        ))
    if status != 200:
        _fail(rctx, "GET %s returned HTTP %d: %s" % (url, status, rctx.read(tmp)[:300]))
    digest = _sha256(rctx, tmp)
    if reference.startswith("sha256:") and digest != reference:
        fail("oci_pull(%s): %s has digest %s, not the %s asked for" % (_name(rctx), url, digest, reference))
    content = rctx.read(tmp)
    parsed, error = read_json_object(rctx, tmp, "%s (HTTP 200)" % url)
    if error:
        _fail(rctx, error)
    media_type = parsed.get("mediaType", "")
    if not media_type:
        media_type = _INDEXES[0] if "manifests" in parsed else "application/vnd.oci.image.manifest.v1+json"
    rctx.file("layout/blobs/sha256/" + digest[len("sha256:"):], content, executable = False)
    rctx.delete(tmp)
    rctx.delete(tmp + ".headers")
    return digest, parsed, media_type, len(content)

def _fetch_blob(rctx, descriptor, state):
    digest = descriptor["digest"]
    if not digest.startswith("sha256:"):
        fail("oci_pull(%s): unsupported digest %s" % (_name(rctx), digest))
    url = "%s/blobs/%s" % (_base_url(rctx), digest)
    output = "layout/blobs/sha256/" + digest[len("sha256:"):]
    result = rctx.download(url, output = output, sha256 = digest[len("sha256:"):], auth = _blob_auth(url, state), allow_fail = True)
    if result.success:
        return
    if not state.get("challenge"):
        _fail(rctx, "downloading %s failed (%s)" % (url, _source(rctx, state.get("credentials"))))

    # Tokens expire (often within minutes), and an eager pull of a large
    # image outlives one: ask the realm again, once, and retry.
    state["token"] = _token(rctx, state["challenge"], _credentials(rctx, state))
    result = rctx.download(url, output = output, sha256 = digest[len("sha256:"):], auth = _blob_auth(url, state), allow_fail = True)
    if not result.success:
        _fail(rctx, "downloading %s failed, also with a new token (%s)" % (url, _source(rctx, state.get("credentials"))))

def _blob_auth(url, state):
    """repository_ctx.download's auth for url: the Bearer token or the basic credentials."""
    if state.get("token"):
        return {url: {"type": "pattern", "pattern": "Bearer <password>", "password": state["token"]}}
    if state.get("basic"):
        return {url: {"type": "basic", "login": state["basic"][0], "password": state["basic"][1]}}
    return {}

def _variant_matches(want, arch, variant):
    """arm64 images often omit variant "v8", which is arm64's only one."""
    return want == variant or (want == "v8" and arch == "arm64" and not variant)

def _wanted(platform, platforms):
    """Whether an index entry's platform is one of `platforms` (all if empty)."""
    if not platforms:
        return True
    text = "%s/%s" % (platform.get("os", ""), platform.get("architecture", ""))
    variant = platform.get("variant", "")
    for want in platforms:
        parts = want.split("/")
        if "/".join(parts[:2]) != text:
            continue
        if len(parts) < 3 or _variant_matches(parts[2], parts[1], variant):
            return True
    return False

def _check_attrs(rctx):
    if not rctx.attr.digest and not rctx.attr.tag:
        fail("oci_pull(%s): give digest (a pin), tag, or both (the digest is fetched, the tag names it)" % _name(rctx))
    if rctx.attr.layer_handling not in ["shallow", "eager"]:
        fail("oci_pull(%s): layer_handling \"%s\" must be \"shallow\" or \"eager\"" % (_name(rctx), rctx.attr.layer_handling))
    if rctx.attr.target_name == "pin":
        fail("oci_pull(pin): the name \"pin\" is taken by the repository's pin program; choose another")

def _platform_key(platform):
    """os/arch[/variant] of an index entry's platform."""
    parts = [platform.get("os", ""), platform.get("architecture", "")]
    if platform.get("variant"):
        parts.append(platform["variant"])
    return "/".join(parts)

def _lock_key(rctx):
    """The pulled tag's key in the lock file, or None without a tag."""
    return lock_key(rctx.attr.registry, rctx.attr.repository, rctx.attr.tag) if rctx.attr.tag else None

def _reference(rctx, lock):
    """What to fetch: the digest attribute, else the lock's digest for the tag, else the tag.

    A locked tag is never resolved on the network: a tag moved in the
    registry must not change the build.
    """
    locked = lock.entries.get(_lock_key(rctx)) if lock != None and rctx.attr.tag else None
    if rctx.attr.digest and locked and locked != rctx.attr.digest:
        fail(("oci_pull(%s): digest = \"%s\" but the lock file %s records %s for %s; make them agree " +
              "(or delete the entry and `bazel run @%s//:pin` to record the attribute's)") %
             (_name(rctx), rctx.attr.digest, rctx.attr.lock_file, locked, _lock_key(rctx), _name(rctx)))
    return rctx.attr.digest or locked or rctx.attr.tag

def _warn_unpinned(rctx, digest):
    """A tag was resolved on the network: say how to pin the digest it gave."""
    pulled = "%s/%s:%s" % (rctx.attr.registry, rctx.attr.repository, rctx.attr.tag)

    # A repository rule has no other way to warn; the pin is worth it.
    if rctx.attr.lock_file:
        # buildifier: disable=print
        print(("WARNING: oci_pull(%s) resolved the tag %s to %s, which the lock file %s does not record; " +
               "record it with `bazel run @%s//:pin`") % (_name(rctx), pulled, digest, rctx.attr.lock_file, _name(rctx)))
    else:
        # buildifier: disable=print
        print("WARNING: oci_pull(%s) pulled %s by tag; pin it with digest = \"%s\"" % (_name(rctx), pulled, digest))

def _fetch_manifests(rctx, reference, state):
    """Fetches the root and the wanted children; returns (root digest, media type, size, [(manifest, platform key)])."""
    digest, parsed, media_type, size = _fetch_manifest(rctx, reference, state)
    if reference == rctx.attr.tag:
        _warn_unpinned(rctx, digest)
    if media_type not in _INDEXES:
        _check_manifest_digests(rctx, parsed, "the manifest " + digest)
        return digest, media_type, size, [(parsed, "")]
    manifests = []
    for i, child in enumerate(parsed.get("manifests", [])):
        _check_digest(rctx, child.get("digest"), "entry %d of the index %s" % (i, digest))
    for child in parsed.get("manifests", []):
        if _wanted(child.get("platform", {}), rctx.attr.platforms):
            _, child_parsed, _, _ = _fetch_manifest(rctx, child["digest"], state)
            _check_manifest_digests(rctx, child_parsed, "the manifest " + child["digest"])
            manifests.append((child_parsed, _platform_key(child.get("platform", {}))))
    if not manifests:
        fail("oci_pull(%s): the index has no manifest for %s" % (_name(rctx), rctx.attr.platforms))
    return digest, media_type, size, manifests

def _oci_pull_impl(rctx):
    _check_attrs(rctx)
    lock = read_lock(rctx, rctx.attr.lock_file, "oci_pull(%s)" % _name(rctx)) if rctx.attr.lock_file else None
    state = {}
    digest, media_type, size, manifests = _fetch_manifests(rctx, _reference(rctx, lock), state)

    # A registry that wanted credentials stays shallow too: the fetch action
    # looks them up itself (fetch_blob.py), so no secret is in its key.
    eager = rctx.attr.layer_handling == "eager"
    platform_layers = {}
    for manifest, platform in manifests:
        _fetch_blob(rctx, manifest["config"], state)
        platform_layers[platform] = manifest.get("layers", [])
        if eager:
            for layer in platform_layers[platform]:
                _fetch_blob(rctx, layer, state)
    remove_private_dir(rctx)
    if not eager:
        write_auth_env(rctx)
    _write_index(rctx, media_type, digest, size)
    rctx.file("pin.sh", pin_script("oci_pull(%s)" % _name(rctx), rctx.attr.lock_file, lock, _lock_key(rctx), digest))
    _write_build_file(rctx, digest, None if eager else platform_layers)

def _write_index(rctx, media_type, digest, size):
    """index.json of the layout: the pulled manifest or index, named by its tag."""
    annotations = {}
    if rctx.attr.tag:
        annotations["io.containerd.image.name"] = "%s/%s:%s" % (rctx.attr.registry, rctx.attr.repository, rctx.attr.tag)
        annotations["org.opencontainers.image.ref.name"] = rctx.attr.tag
    root = {"mediaType": media_type, "digest": digest, "size": size}
    if annotations:
        root["annotations"] = annotations
    rctx.file("layout/index.json", json.encode_indent({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [root],
    }, indent = "  "))
    rctx.file("layout/oci-layout", '{"imageLayoutVersion":"1.0.0"}')

# The layout's target has a fixed name: the repository's own name is not the
# one the user wrote under Bzlmod (there it is a canonical name such as
# "+oci+debian"). `@debian` alone means `@debian//:debian`, so an alias
# carries the name the user gave, passed in by the oci_pull macro or the
# module extension.
_EAGER = """# Generated by oci_pull: {ref}
filegroup(
    name = "layout",
    srcs = glob(["layout/**"]),
    visibility = ["//visibility:public"],
)

exports_files(["layout/index.json"])
"""

_SHALLOW = """# Generated by oci_pull: {ref}
# Layer blobs are not here: each is fetched by its oci_blob's action when an
# action reads it (rules/private/pulled.bzl).
load("{pulled_bzl}", "oci_blob", "oci_pulled_image")

oci_pulled_image(
    name = "layout",
    srcs = glob(["layout/**"]),
    layers = {layers},
    platform_layers = {platform_layers},
    visibility = ["//visibility:public"],
)

exports_files(["layout/index.json"])
"""

_BLOB = """
oci_blob(
    name = "{name}",
    descriptor = "{descriptor}",
    digest = "{digest}",
    url = "{url}",
)
"""

_ALIAS = """
alias(
    name = "{name}",
    actual = ":layout",
    visibility = ["//visibility:public"],
)
"""

def _absolute(label):
    """A label that means the same in another repository's BUILD file.

    In imagewriter's own workspace str() gives "//...", which the pulled
    repository would read as its own.
    """
    text = str(label)
    return "@" + text if text.startswith("//") else text

def _shallow_build(rctx, ref, platform_layers):
    """The BUILD text of a shallow pull: one oci_blob per distinct layer."""
    blobs = {}
    names = {}
    for platform, layers in platform_layers.items():
        names[platform] = []
        for layer in layers:
            digest = layer["digest"]
            if not digest.startswith("sha256:"):
                fail("oci_pull(%s): unsupported digest %s" % (_name(rctx), digest))
            name = "blob_" + digest[len("sha256:"):]
            names[platform].append(name)
            if name not in blobs:
                descriptor = "layers/%s.json" % name
                rctx.file(descriptor, json.encode(layer), executable = False)
                blobs[name] = _BLOB.format(
                    name = name,
                    descriptor = descriptor,
                    digest = digest,
                    url = "%s/blobs/%s" % (_base_url(rctx), digest),
                )
    content = _SHALLOW.format(
        ref = ref,
        pulled_bzl = _absolute(Label("//rules/private:pulled.bzl")),
        layers = repr([":" + n for n in sorted(blobs)]),
        platform_layers = repr({p: " ".join(n) for p, n in names.items()}),
    )
    return content + "".join([blobs[n] for n in sorted(blobs)])

def _write_build_file(rctx, digest, platform_layers):
    """BUILD.bazel: the whole layout as files (eager), or oci_pulled_image and its oci_blobs."""
    ref = "%s/%s@%s" % (rctx.attr.registry, rctx.attr.repository, digest)
    if platform_layers == None:
        content = _EAGER.format(ref = ref)
    else:
        content = _shallow_build(rctx, ref, platform_layers)
    if rctx.attr.target_name and rctx.attr.target_name != "layout":
        content += _ALIAS.format(name = rctx.attr.target_name)
    rctx.file("BUILD.bazel", content + PIN_TARGET)

# What the user gives oci_pull, or the module extension's oci.pull tag.
PULL_ATTRS = {
    "registry": attr.string(mandatory = True, doc = "registry host[:port], e.g. index.docker.io or 127.0.0.1:5000."),
    "repository": attr.string(mandatory = True, doc = "Repository path, e.g. library/debian."),
    "digest": attr.string(doc = "sha256:... of the manifest or index: the pin, and what is fetched. Preferred."),
    "tag": attr.string(doc = "A tag. Alone, the lock file's digest for it is fetched; without an entry there, " +
                             "the tag is resolved (the repository keeps the result until it is fetched again) and a " +
                             "warning says how to pin it. With `digest`, it only names the image."),
    "lock_file": attr.label(
        doc = "A JSON file in the workspace (`{}` when empty) recording the digest each tag resolved to, " +
              "keyed \"<registry>/<repository>:<tag>\". A recorded tag is fetched by its digest and never " +
              "resolved again; `bazel run @<name>//:pin` records a new one. Changing the file fetches again.",
    ),
    "layer_handling": attr.string(
        default = "shallow",
        doc = "\"shallow\": fetch manifests and configs now, each layer blob only when an action reads it " +
              "(an OCI layout, archive, load or push); with a registry that wants credentials, the action " +
              "looks them up where oci_pull did, at execution time. \"eager\": fetch every layer here.",
    ),
    "platforms": attr.string_list(doc = "os/arch[/variant] to fetch from an index; default all."),
}

oci_pull_rule = repository_rule(
    implementation = _oci_pull_impl,
    doc = """Fetches an image or index from a registry into an OCI layout.

The layout is `@<repository>//:layout`; with `target_name`, also
`@<repository>//:<target_name>`. Use the `oci_pull` macro (rules/pull.bzl)
or the module extension, which set `target_name` to the name you give.""",
    attrs = dict(
        PULL_ATTRS,
        target_name = attr.string(doc = "Name of an alias of :layout; the name the user wrote, so that `@<name>` works."),
    ),
    # Where credentials are looked up: a change fetches again.
    environ = AUTH_ENVIRON,
)
