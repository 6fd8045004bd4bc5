"""oci_pull with credentials, in a workspace of its own (a nested Bazel).

Against docker-registry on 127.0.0.1 with htpasswd basic auth, and behind
the test-only Bearer token front of tests/e2e/registry.py:
  - docker config.json `auths`, `credHelpers` and `credsStore` (with a
    credential helper written here), containers' auth.json through
    $REGISTRY_AUTH_FILE;
  - the token flow with a password and with an identity token;
  - a wrong password and a missing credential fail naming the registry and
    the credential source, never the secret;
  - no file that held a secret is left in the repository;
  - an open registry is pulled from without looking for credentials;
  - 503s are retried;
  - a manifest digest that is not sha256:<64 hex> and a password holding a
    newline are refused;
  - a pull from an open registry is shallow (its layers come from fetch
    actions, on demand), and so is one that needed credentials (htpasswd,
    and the Bearer front with a password, an identity token, a credential
    helper): the fetch actions look the credentials up themselves, the
    registry's log shows them GET each layer, skopeo reads the result, and
    no password is in an executed command line, environment or the output
    base; a credential changed after the pull fails the action clearly.
Each pull skips the repository cache, so blob downloads authenticate too.
Prints "PASS: ..." / "FAIL: ..." per check; exit status 1 on any failure.
Usage: python3 tests/integration/pull_auth.py  (from anywhere)
"""
import base64
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import registry  # noqa: E402
import shallow_auth  # noqa: E402

PASSWORD = "pull-Secret-42"
HELPER = """#!/bin/sh
read -r server || true
echo "$server" >> "%(log)s"
case "$server" in
  %(registry)s) printf '{"ServerURL":"%%s","Username":"alice","Secret":"%(password)s"}\\n' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
"""

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + name)
    if not ok and detail:
        print(detail[-3000:])
    results["passed" if ok else "failed"] += 1


def b64(text):
    return base64.b64encode(text.encode()).decode()


class Workspace:
    def __init__(self, work):
        self.work = work
        self.dir = os.path.join(work, "ws")
        self.home = os.path.join(work, "home")
        self.bin = os.path.join(work, "bin")
        for d in (self.dir, self.home, self.bin):
            os.makedirs(d)
        self.repos = []

    def add(self, name, addr, digest, layer_handling="shallow"):
        self.repos.append('oci_pull(name = "%s", registry = "%s", repository = "iw/hello", digest = "%s", '
                          'layer_handling = "%s")\n' % (name, addr, digest, layer_handling))

    def write(self):
        with open(os.path.join(self.dir, "WORKSPACE"), "w") as f:
            f.write('local_repository(name = "imagewriter", path = "%s")\n\n' % ROOT)
            f.write('load("@imagewriter//rules:pull.bzl", "oci_pull")\n\n' + "".join(self.repos))
        open(os.path.join(self.dir, "BUILD.bazel"), "w").close()

    def config(self, name, content):
        """A DOCKER_CONFIG directory holding config.json = content."""
        d = os.path.join(self.work, "docker-" + name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(content, f)
        return d

    def fetch(self, repo, *flags, **env):
        return self.bazel("build", "--repository_cache=", "@%s//:layout" % repo, *flags, **env)

    def bazel(self, *args, **env):
        full = {"PATH": self.bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.home}
        full.update(env)
        proc = subprocess.run(["bazel", "--output_base=" + os.path.join(self.work, "ob")] + list(args),
                              cwd=self.dir, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=600)
        return proc.returncode, proc.stdout.decode()

    def pulled(self, repo):
        external = os.path.join(self.work, "ob", "external", repo)
        with open(os.path.join(external, "layout", "index.json")) as f:
            digest = json.load(f)["manifests"][0]["digest"]
        leftover = os.path.exists(os.path.join(external, ".imagewriter-auth"))
        return digest, leftover

    def layers(self, repo):
        """The pulled image's layer digests' hex."""
        layout = os.path.join(self.work, "ob", "external", repo, "layout")
        with open(os.path.join(layout, "index.json")) as f:
            manifest = json.load(f)["manifests"][0]["digest"].split(":")[1]
        with open(os.path.join(layout, "blobs", "sha256", manifest)) as f:
            return [layer["digest"].split(":")[1] for layer in json.load(f)["layers"]]

    def missing_layers(self, repo, blobs_dir):
        """The pulled image's layer digests that blobs_dir lacks."""
        return [d for d in self.layers(repo) if not os.path.exists(os.path.join(blobs_dir, d))]

    def fetched(self, repo):
        """Where the `layers` output group of a pulled repository puts the blobs."""
        return os.path.join(self.dir, "bazel-bin", "external", repo, "blobs", "sha256")

    def shutdown(self):
        subprocess.run(["bazel", "--output_base=" + os.path.join(self.work, "ob"), "shutdown"],
                       cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Hostile(http.server.ThreadingHTTPServer):
    """A registry stand-in whose manifest has a layer digest that would inject BUILD text."""
    BAD = 'sha256:%s",\n)\ngenrule(name = "x' % ("0" * 40)
    MANIFEST = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
                   "digest": "sha256:" + "4" * 64},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 1, "digest": BAD}],
    }).encode()
    DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()

    def __init__(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = server.MANIFEST if "/manifests/" in self.path else b"{}"
                self.send_response(200 if "/manifests/" in self.path else 404)
                self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.addr = "127.0.0.1:%d" % self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


def push(layout, ref, creds):
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", "--dest-authfile", creds,
                    "oci:" + layout, "docker://" + ref], check=True)


def expect_ok(ws, name, repo, digest, **env):
    code, out = ws.fetch(repo, **env)
    if code != 0:
        return check(name, False, out)
    got, leftover = ws.pulled(repo)
    check(name, got == digest and not leftover and PASSWORD not in out,
          "digest %s (want %s), private dir left: %s\n%s" % (got, digest, leftover, out))


def expect_error(ws, name, repo, needles, **env):
    code, out = ws.fetch(repo, **env)
    if os.environ.get("PULL_AUTH_VERBOSE"):
        print("\n".join(line for line in out.splitlines() if "oci_pull(" in line))
    missing = [n for n in needles if n not in out]
    check(name, code != 0 and not missing and PASSWORD not in out and "wrong-" + PASSWORD not in out,
          "exit %d, missing %s\n%s" % (code, missing, out))


def main():
    subprocess.run(["bazel", "build", "//examples/hello:image"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    layout = os.path.join(ROOT, "bazel-bin", "examples", "hello", "image")
    with open(layout + ".digest") as f:
        digest = f.read().strip()
    work = tempfile.mkdtemp(prefix="iw-pull-auth-")
    ws = Workspace(work)
    basic = registry.Registry(work, users={"alice": PASSWORD}, env={"PATH": "/usr/bin:/bin"})
    plain = registry.Registry(work, env={"PATH": "/usr/bin:/bin"})
    front = registry.Front(plain.addr, {"bob": PASSWORD}, refresh_tokens=["refresh-" + PASSWORD])
    hostile = Hostile()
    try:
        creds = os.path.join(work, "push-auth.json")
        with open(creds, "w") as f:
            json.dump({"auths": {basic.addr: {"auth": b64("alice:" + PASSWORD)},
                                 front.addr: {"auth": b64("bob:" + PASSWORD)}}}, f)
        push(layout, basic.addr + "/iw/hello:latest", creds)
        push(layout, front.addr + "/iw/hello:latest", creds)
        for name in ("auths", "url_key", "malformed_config", "helper", "store", "authfile", "wrong", "missing"):
            ws.add(name, basic.addr, digest)
        for name in ("bearer", "identity", "bearer_wrong", "bearer_anonymous"):
            ws.add(name, front.addr, digest)
        ws.add("expiring", front.addr, digest, layer_handling="eager")
        ws.add("plain_http_realm", front.addr, digest)
        ws.add("open", plain.addr, digest)
        ws.add("flaky", front.addr, digest)
        ws.add("newline", basic.addr, digest)
        ws.add("hostile", hostile.addr, Hostile.DIGEST)
        shallow_auth.add(ws, basic.addr, digest)
        ws.write()
        expect_ok(ws, "oci_pull from a registry that wants no credentials runs no helper", "open", digest,
                  DOCKER_CONFIG=ws.config("open", {"credsStore": "absent-helper"}))
        check_shallow(ws)
        run_cases(ws, basic, front, digest)
        shallow_auth.run(ws, basic, front, plain, check, PASSWORD)
        expect_error(ws, "oci_pull refuses a manifest digest that is not sha256: and 64 hex digits", "hostile",
                     ["oci_pull(hostile): %s/iw/hello: layer 0 of the manifest %s has digest"
                      % (hostile.addr, Hostile.DIGEST)])
        nl = ws.config("newline", {"auths": {basic.addr: {"auth": b64("alice:" + PASSWORD + "\nverbose")}}})
        expect_error(ws, "oci_pull refuses a password with a newline (it would add curl options)", "newline",
                     ["the login or password of `auths` in %s/config.json contains a newline"
                      % nl], DOCKER_CONFIG=nl)
    finally:
        ws.shutdown()
        front.shutdown()
        hostile.shutdown()
        basic.stop()
        plain.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("pull_auth: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


def check_shallow(ws):
    """An open registry's pull is shallow; the output group `layers` runs the fetch actions."""
    external = os.path.join(ws.work, "ob", "external", "open")
    shallow = ws.missing_layers("open", os.path.join(external, "layout", "blobs", "sha256"))
    code, out = ws.fetch("open", "--output_groups=layers")
    fetched = ws.missing_layers("open", os.path.join(ws.dir, "bazel-bin", "external", "open", "blobs", "sha256"))
    check("a shallow pull holds no layer; its fetch actions download them on demand",
          shallow and code == 0 and not fetched, "shallow: %s, exit %d, not fetched: %s\n%s" % (shallow, code, fetched, out))


def run_cases(ws, basic, front, digest):
    good = {"auths": {basic.addr: {"auth": b64("alice:" + PASSWORD)}}}
    expect_ok(ws, "oci_pull with docker config.json auths (basic auth registry)", "auths", digest,
              DOCKER_CONFIG=ws.config("auths", good))
    url_key = {"auths": {"https://%s/v1/" % basic.addr: {"auth": b64("alice:" + PASSWORD)}}}
    expect_ok(ws, "oci_pull with a URL auths key (https://host:port/v1/), as docker and skopeo read it",
              "url_key", digest, DOCKER_CONFIG=ws.config("url_key", url_key))
    malformed = ws.config("malformed_config", {})
    with open(os.path.join(malformed, "config.json"), "w") as f:
        f.write('{"auths": {"%s": {"auth": "%s"}' % (basic.addr, b64("alice:" + PASSWORD)))
    expect_error(ws, "oci_pull with a malformed config.json names the file and where, not its content",
                 "malformed_config", ["oci_pull(malformed_config): %s/config.json is not a JSON object: " % malformed,
                                      "line 1 column"], DOCKER_CONFIG=malformed)
    log = os.path.join(ws.work, "helper.log")
    path = os.path.join(ws.bin, "docker-credential-iwtest")
    with open(path, "w") as f:
        f.write(HELPER % {"log": log, "registry": basic.addr, "password": PASSWORD})
    os.chmod(path, 0o755)
    expect_ok(ws, "oci_pull with a credHelpers credential helper", "helper", digest,
              DOCKER_CONFIG=ws.config("helper", {"credHelpers": {basic.addr: "iwtest"}}))
    expect_ok(ws, "oci_pull with docker's credsStore", "store", digest,
              DOCKER_CONFIG=ws.config("store", {"credsStore": "iwtest"}))
    calls = open(log).read().split() if os.path.exists(log) else []
    check("the credential helper got the registry on stdin", calls == [basic.addr] * 2, str(calls))
    authfile = os.path.join(ws.work, "auth.json")
    with open(authfile, "w") as f:
        json.dump({"auths": {basic.addr + "/iw": {"auth": b64("alice:" + PASSWORD)}}}, f)
    expect_ok(ws, "oci_pull with containers' auth.json ($REGISTRY_AUTH_FILE, repository-scoped key)",
              "authfile", digest, REGISTRY_AUTH_FILE=authfile)
    wrong = ws.config("wrong", {"auths": {basic.addr: {"auth": b64("alice:wrong-" + PASSWORD)}}})
    expect_error(ws, "oci_pull with a wrong password names the registry and the source", "wrong",
                 ["oci_pull(wrong): %s refused the credentials from `auths` in %s/config.json (HTTP 401"
                  % (basic.addr, wrong)], DOCKER_CONFIG=wrong)
    expect_error(ws, "oci_pull with no credential says where it looked", "missing",
                 ["oci_pull(missing): %s wants credentials (basic) and there are none usable: "
                  "anonymous access (no credentials for it in " % basic.addr],
                 DOCKER_CONFIG=ws.config("missing", {"auths": {"elsewhere.example": {"auth": b64("a:b")}}}))
    expect_ok(ws, "oci_pull through a Bearer token realm with a password", "bearer", digest,
              DOCKER_CONFIG=ws.config("bearer", {"auths": {front.addr: {"auth": b64("bob:" + PASSWORD)}}}))
    check("the token request carried the password and the pull scope",
          ("basic", "repository:iw/hello:pull") in front.token_requests, str(front.token_requests))
    expect_ok(ws, "oci_pull through a Bearer token realm with an identity token", "identity", digest,
              DOCKER_CONFIG=ws.config("identity", {"auths": {front.addr: {"identitytoken": "refresh-" + PASSWORD}}}))
    check("the identity token was sent as an OAuth2 refresh token",
          ("refresh", "repository:iw/hello:pull") in front.token_requests, str(front.token_requests))
    # A token good for two requests expires during an eager pull (manifest,
    # config, then the layers): the pull asks for a new one and goes on.
    front.token_uses = 2
    asked = len(front.token_requests)
    expect_ok(ws, "an eager oci_pull gets a new token when its token expires mid-pull", "expiring", digest,
              DOCKER_CONFIG=ws.config("expiring", {"auths": {front.addr: {"auth": b64("bob:" + PASSWORD)}}}))
    check("the expired token was replaced", len(front.token_requests) >= asked + 2, str(front.token_requests[asked:]))
    front.token_uses = None
    # A realm on plain http to a host that is not loopback would get the
    # password in clear: refused before any request to it.
    front.realm = "http://auth.example/token"
    expect_error(ws, "oci_pull refuses a Bearer realm that is plain http to another host", "plain_http_realm",
                 ["the Bearer realm \"http://auth.example/token\" is not https://"],
                 DOCKER_CONFIG=ws.config("plain_http_realm", {"auths": {front.addr: {"auth": b64("bob:" + PASSWORD)}}}))
    front.realm = None
    front.faults = 2
    expect_ok(ws, "oci_pull retries a registry that answers 503", "flaky", digest,
              DOCKER_CONFIG=ws.config("flaky", {"auths": {front.addr: {"auth": b64("bob:" + PASSWORD)}}}))
    check("both 503s were answered", front.faults == 0)
    bad = ws.config("bearer_wrong", {"auths": {front.addr: {"auth": b64("bob:wrong-" + PASSWORD)}}})
    expect_error(ws, "oci_pull with a wrong password at the token realm names the realm and the source",
                 "bearer_wrong", ["oci_pull(bearer_wrong): %s: the token endpoint http://%s/token refused "
                                  "the credentials from `auths` in %s/config.json (HTTP 401)"
                                  % (front.addr, front.addr, bad)], DOCKER_CONFIG=bad)
    expect_error(ws, "oci_pull anonymously from a realm that wants credentials", "bearer_anonymous",
                 ["refused anonymous access (no credentials for it in"],
                 DOCKER_CONFIG=ws.config("anonymous", {}))


if __name__ == "__main__":
    sys.exit(main())
