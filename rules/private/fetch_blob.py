#!/usr/bin/env python3
"""Downloads one layer blob of a shallow oci_pull and checks it against its digest.

    fetch_blob.py URL sha256:HEX DESCRIPTOR OUTPUT

Run by oci_blob's action (rules/private/pulled.bzl). The first request is
anonymous; a 401 gets the credentials docker and podman would use, looked up
here, at execution time, so that no secret is ever part of the action: not
its key, its command line, its inputs, its environment or its output. A
Bearer challenge gets a token from its realm (with the password, the
identity token as an OAuth2 refresh token, or anonymously), a Basic one the
user and password. Secrets never reach a command line or a message.

The action's environment has no HOME or DOCKER_CONFIG (Bazel passes the
client's environment to no action). oci_pull writes the values they had when
it fetched the repository into AUTH_ENV_FILE, at the pulled repository's
root; it is not an input (it would put the user's paths in the action key
and keep caches from being shared), and is found through the real path of
the descriptor, which is in the same repository. The output is checked
against the digest, so it stays a pure function of the action key whoever's
credentials fetched it. Without that file, HOME comes from the passwd
database.
"""

import base64
import hashlib
import http.client
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# Written by oci_pull (auth.bzl's write_auth_env): keep the names equal.
AUTH_ENV_FILE = "auth_env.json"
AUTH_ENVIRON = ["DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "HOME", "PATH"]

TIMEOUT = 60  # seconds without progress before a connection counts as failed
ATTEMPTS = 4  # a transient failure (5xx, 429, network) is retried 3 times
CHUNK = 1 << 20
_DOCKER_HUB = "https://index.docker.io/v1/"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Every secret seen, to blank out of any message an unexpected error makes.
SECRETS = []


class FetchError(Exception):
    """A failure with a message for the user; it never holds a secret."""


class Transient(Exception):
    """A failure worth another try: a 5xx, a 429 or a network error."""


# ---------------------------------------------------------------------------
# The credential lookup. It MUST match rules/private/auth.bzl, the lookup of
# the repository rules (Starlark cannot run in an action, and an action
# cannot run Starlark): same files, same order, same key normalization,
# same helper protocol. Change both together.
# ---------------------------------------------------------------------------


class Credentials:
    def __init__(self, login, secret, identity_token, source):
        self.login, self.secret, self.identity_token, self.source = login, secret, identity_token, source
        SECRETS.extend(s for s in (secret, identity_token) if s)


def _credentials(login, secret, source):
    if login == "<token>":
        return Credentials("", "", secret, source)
    return Credentials(login, secret, "", source)


def normalize(key):
    """A config key or registry name as host[/path], docker.io for Docker Hub."""
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            # A URL key names a registry, not a repository: docker and
            # skopeo keep its host[:port] alone ("https://host:5000/v1/").
            key = key[len(scheme):].split("/")[0]
    key = key.rstrip("/")
    if key in ("index.docker.io/v1", "index.docker.io", "registry-1.docker.io", "docker.io"):
        return "docker.io"
    for hub in ("index.docker.io/", "registry-1.docker.io/"):
        if key.startswith(hub):
            return "docker.io/" + key[len(hub):]
    return key


def candidates(registry, repository):
    """Keys that may hold the credentials, most specific first."""
    host = normalize(registry)
    parts = repository.split("/")
    return ["%s/%s" % (host, "/".join(parts[:n])) for n in range(len(parts), 0, -1)] + [host]


def _lookup(table, keys):
    normalized = {normalize(k): v for k, v in (table or {}).items()}
    for key in keys:
        if key in normalized:
            return normalized[key]
    return None


def auth_files(env):
    """(path, whether it is a docker config.json) in lookup order."""
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


def _helper_env(env):
    """The helper's environment: the action's, with the fetch-time values."""
    full = dict(os.environ)
    full.update({k: v for k, v in env.items() if v and k != "PATH"})
    full["PATH"] = ":".join(p for p in (env.get("PATH", ""), os.environ.get("PATH", "")) if p)
    return full


def _from_helper(env, name, registry, named_by):
    """Runs docker-credential-<name> get; None if it has nothing for the registry."""
    source = "credential helper docker-credential-%s (named in %s)" % (name, named_by)
    helper_env = _helper_env(env)
    helper = shutil.which("docker-credential-" + name, path=helper_env["PATH"])
    if helper is None:
        raise FetchError("%s: %s is not on PATH" % (registry, source))
    server = _DOCKER_HUB if normalize(registry) == "docker.io" else registry
    try:
        result = subprocess.run([helper, "get"], input=server.encode(), env=helper_env, timeout=TIMEOUT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except subprocess.TimeoutExpired:
        raise FetchError("%s: %s did not answer in %d seconds" % (registry, source, TIMEOUT))
    out, err = result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    if result.returncode != 0:
        if "not found" in (out + err).lower():
            return None
        raise FetchError("%s: %s failed (exit %d): %s" % (registry, source, result.returncode, err.strip()[:200]))
    try:
        reply = json.loads(out)
    except ValueError:
        raise FetchError("%s: %s did not answer with JSON" % (registry, source))
    return _credentials(reply.get("Username", ""), reply.get("Secret", ""), source)


def _decode_auth(encoded, registry, source):
    """user:password from an `auths` entry's `auth`."""
    try:
        login, sep, secret = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        sep = ""
    if not sep:
        raise FetchError("%s: the `auth` entry in %s is not base64 of user:password" % (registry, source))
    return login, secret


def _from_entry(entry, registry, source):
    """Credentials of an `auths` entry; None for docker's empty `{}` placeholders."""
    login, secret = "", ""
    if entry.get("auth"):
        login, secret = _decode_auth(entry["auth"], registry, source)
    if entry.get("identitytoken"):
        return Credentials(login, "", entry["identitytoken"], source)
    if login or secret:
        return _credentials(login, secret, source)
    return None


def _from_file(env, path, docker, registry, keys):
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        raise FetchError("%s: cannot read %s: %s" % (registry, path, e))
    helper = _lookup(config.get("credHelpers"), keys)
    if helper:
        found = _from_helper(env, helper, registry, path)
        if found:
            return found
    entry = _lookup(config.get("auths"), keys)
    if entry:
        found = _from_entry(entry, registry, "`auths` in " + path)
        if found:
            return found
    if docker and config.get("credsStore"):
        return _from_helper(env, config["credsStore"], registry, path + " (credsStore)")
    return None


def find_credentials(env, registry, repository):
    """Credentials for the registry, or None when no source has any."""
    keys = candidates(registry, repository)
    for path, docker in auth_files(env):
        if os.path.isfile(path):
            found = _from_file(env, path, docker, registry, keys)
            if found:
                return found
    return None


# ---------------------------------------------------------------------------
# The fetch-time environment.
# ---------------------------------------------------------------------------


def fetch_environment(descriptor):
    """(the lookup's environment, where it came from, for messages)."""
    root = os.path.dirname(os.path.dirname(os.path.realpath(descriptor)))
    hint = os.path.join(root, AUTH_ENV_FILE)
    env, origin = {}, "the action's environment (%s is missing)" % hint
    try:
        with open(hint) as f:
            recorded = json.load(f)
        env = {k: recorded.get(k) or "" for k in AUTH_ENVIRON}
        origin = "the environment oci_pull was fetched with, recorded in " + hint
    except (OSError, ValueError):
        env = {k: os.environ.get(k, "") for k in AUTH_ENVIRON}
    if not env.get("HOME"):
        try:
            env["HOME"] = pwd.getpwuid(os.getuid()).pw_dir
        except KeyError:
            pass
    return env, origin


# ---------------------------------------------------------------------------
# HTTP.
# ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def _open(url, headers, data=None):
    """One request, following redirects itself.

    Authorization goes only to the origin it was meant for, as curl does: a
    registry commonly redirects blobs to a storage service with a signed URL,
    which must not get the registry's credentials.
    """
    origin = _origin(url)
    for _ in range(10):
        sent = {k: v for k, v in headers.items() if k != "Authorization" or _origin(url) == origin}
        request = urllib.request.Request(url, data=data, headers=sent)
        try:
            response = _OPENER.open(request, timeout=TIMEOUT)
        except urllib.error.HTTPError as e:
            response = e
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            raise Transient("%s: %s" % (urllib.parse.urlsplit(url).netloc, getattr(e, "reason", e)))
        status = response.getcode()
        if status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            response.close()
            url = urllib.parse.urljoin(url, response.headers["Location"])
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise FetchError("redirected to %s, which is not http(s)" % url)
            data = None if status == 303 else data
            continue
        if status >= 500 or status == 429:
            response.close()
            raise Transient("HTTP %d" % status)
        return response
    raise FetchError("more than 10 redirects")


def retrying(what, attempt):
    """attempt(), tried again 1, 2 and 4 seconds after a transient failure."""
    for n in range(ATTEMPTS):
        try:
            return attempt()
        except Transient as e:
            if n + 1 == ATTEMPTS:
                raise FetchError("%s failed %d times, last: %s" % (what, ATTEMPTS, e))
            time.sleep(1 << n)
    raise AssertionError("unreachable")


def challenge(headers):
    """(scheme, parameters) of a 401's WWW-Authenticate header, or None."""
    value = headers.get("WWW-Authenticate")
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    params = {}
    for part in rest.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return scheme.lower(), params


def realm_ok(realm):
    """Whether a Bearer realm may get credentials: https, or http to a loopback host.

    The same rule as pull.bzl's _realm_ok.
    """
    if realm.startswith("https://"):
        return True
    if not realm.startswith("http://"):
        return False
    authority = re.split(r"[/?#]", realm[len("http://"):])[0]
    host = authority.split("@")[-1]
    host = host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
    return host in ("127.0.0.1", "localhost", "[::1]")


# ---------------------------------------------------------------------------
# The fetch.
# ---------------------------------------------------------------------------

_BLOB_URL = re.compile(r"^https?://([^/]+)/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")


class Fetch:
    """One blob: url, digest, descriptor (for its size and the environment) and output."""

    def __init__(self, url, digest, descriptor, output):
        match = _BLOB_URL.match(url)
        if not match or match.group(3) != digest:
            raise FetchError("not a /v2/<repository>/blobs/%s URL" % digest)
        self.url, self.digest, self.output = url, digest, output
        self.registry, self.repository = match.group(1), match.group(2)
        self.env, self.origin = fetch_environment(descriptor)
        try:
            with open(descriptor) as f:
                self.size = int(json.load(f)["size"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise FetchError("the descriptor %s has no size: %s" % (descriptor, e))
        self.credentials = None
        self.body = ""

    def source(self):
        """What was offered to the registry, for messages; never the secret."""
        if self.credentials:
            return "the credentials from " + self.credentials.source
        files = ", ".join(path for path, _ in auth_files(self.env)) or "no file ($HOME is not set)"
        return "anonymous access (no credentials for it in %s; looked up in %s)" % (files, self.origin)

    def _token_request(self, params):
        """(url, headers, form) of the token request for the challenge's realm."""
        scope = "repository:%s:pull" % self.repository
        service = params.get("service", "")
        realm = params["realm"]
        credentials = self.credentials
        if credentials and credentials.identity_token:
            form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": credentials.identity_token,
                                           "service": service, "scope": scope, "client_id": "imagewriter"})
            return realm, {}, form.encode()
        headers = {}
        if credentials:
            headers["Authorization"] = basic(credentials)
        query = urllib.parse.urlencode({"service": service, "scope": scope})
        return realm + ("&" if "?" in realm else "?") + query, headers, None

    def token(self, params):
        """A Bearer token from the realm: with a password, a refresh token, or none."""
        realm = params["realm"]
        if not realm_ok(realm):
            raise FetchError("%s: the Bearer realm %r is not https:// (or http:// to 127.0.0.1, localhost or [::1])"
                             % (self.registry, realm))
        url, headers, form = self._token_request(params)

        def attempt():
            response = _open(url, headers, form)
            try:
                return response.getcode(), response.read(1 << 20)
            except (OSError, http.client.HTTPException) as e:
                raise Transient("reading the token endpoint's reply: %s" % e)
            finally:
                response.close()

        status, body = retrying("the token request to " + realm, attempt)
        if status != 200:
            raise FetchError("%s: the token endpoint %s refused %s (HTTP %d)" % (self.registry, realm, self.source(), status))
        try:
            reply = json.loads(body)
            token = reply.get("token") or reply.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token or _CONTROL.search(token):
            raise FetchError("%s: the token endpoint %s sent no usable token" % (self.registry, realm))
        SECRETS.append(token)
        return token

    def authorization(self, headers):
        """The Authorization header that answers a 401's challenge."""
        self.credentials = find_credentials(self.env, self.registry, self.repository)
        found = challenge(headers)
        if found and found[0] == "bearer" and "realm" in found[1]:
            return "Bearer " + self.token(found[1])
        if found and found[0] == "basic" and self.credentials and not self.credentials.identity_token:
            return basic(self.credentials)
        raise FetchError("%s wants credentials (%s) and there are none usable: %s" % (
            self.registry, found[0] if found else "no challenge", self.source()))

    def attempt(self, headers):
        """One GET: the blob into the output on 200; returns (status, response headers)."""
        response = _open(self.url, headers)
        status = response.getcode()
        if status != 200:
            self.body = response.read(300).decode(errors="replace")
            response.close()
            return status, response.headers
        receive(response, self.output, self.digest, self.size)
        return status, response.headers

    def run(self):
        what = "GET " + self.url
        status, headers = retrying(what, lambda: self.attempt({}))
        if status == 401:
            auth = {"Authorization": self.authorization(headers)}
            status, headers = retrying(what, lambda: self.attempt(auth))
            if status in (401, 403):
                raise FetchError("%s refused %s (HTTP %d)" % (self.registry, self.source(), status))
        if status != 200:
            raise FetchError("HTTP %d: %s" % (status, self.body.strip()))


def basic(credentials):
    """A Basic Authorization value; its base64 is as secret as the password."""
    if _CONTROL.search(credentials.login + credentials.secret):
        raise FetchError("the login or password of %s contains a newline or other control character"
                         % credentials.source)
    value = "Basic " + base64.b64encode(("%s:%s" % (credentials.login, credentials.secret)).encode()).decode()
    SECRETS.append(value[len("Basic "):])
    return value


def receive(response, output, digest, size):
    """Streams the response into output, checking its size and digest."""
    sha, received = hashlib.sha256(), 0
    with open(output, "wb") as out:
        while True:
            try:
                chunk = response.read(CHUNK)
            except (OSError, http.client.HTTPException) as e:
                response.close()
                raise Transient("the download broke off after %d bytes: %s" % (received, e))
            if not chunk:
                break
            received += len(chunk)
            if received > size:
                response.close()
                raise FetchError("the blob is larger than the %d bytes its descriptor gives" % size)
            sha.update(chunk)
            out.write(chunk)
    response.close()
    actual = "sha256:" + sha.hexdigest()
    if actual != digest:
        raise FetchError("the blob has digest %s (%d bytes), not %s" % (actual, received, digest))


def main(argv):
    if len(argv) != 5:
        print("usage: fetch_blob.py URL sha256:HEX DESCRIPTOR OUTPUT", file=sys.stderr)
        return 2
    url, digest, descriptor, output = argv[1:]
    try:
        Fetch(url, digest, descriptor, output).run()
        return 0
    except FetchError as e:
        message = str(e)
    except Exception as e:  # A bug; its text may quote a request, so it is scrubbed below.
        message = "unexpected %s: %s" % (type(e).__name__, e)
    for secret in SECRETS:
        message = message.replace(secret, "<secret>")
    if os.path.exists(output):
        os.remove(output)
    print("fetch %s: %s" % (url, message), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
