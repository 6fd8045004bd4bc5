"""oci_push against a loopback docker-registry: credentials, minimal
re-pushes, several tags, retries, indexes.

- Credentials from every source skopeo and the push script read: docker
  config.json `auths` (base64 `auth`), `credHelpers` and `credsStore` with a
  credential helper written here, containers' auth.json through
  $REGISTRY_AUTH_FILE and $XDG_RUNTIME_DIR; the Bearer token flow through a
  test-only token server, with a password and with an `identitytoken`.
- A wrong password and a missing credential fail with a message that names
  the registry and the credential source, and never the secret.
- A re-push after a one-file change uploads one layer and the config,
  counted in the registry's own access log; a second tag uploads nothing.
- 503s and dropped connections are retried; the push still succeeds.
- A pushed index keeps every child manifest's digest.
- Which auth-file entry the script takes for the registry (and so whether
  docker's credsStore is handed to skopeo): keys match as skopeo matches
  them, exactly, never as patterns; lookalike keys and keys outside
  `auths`/`credHelpers` do not count. Seen through a stand-in skopeo that
  refuses like a registry, and end to end with docker-registry.
- --repository or --tag without a value is a usage error (exit 2).
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tests import iwtest  # noqa: E402
import registry  # noqa: E402


def load(path):
    with open(path) as f:
        return json.load(f)


FILES = load("tests/e2e/images.json")
PUSH_FILES = load("tests/e2e/push_images.json")
HELLO = FILES["//examples/hello:image"]
INDEX = FILES["//examples/multiarch:index"]
V1 = PUSH_FILES["//tests/e2e:push_image_v1"]
V2 = PUSH_FILES["//tests/e2e:push_image_v2"]
RUNFILES = os.path.abspath("..")
PASSWORD = "pa55-Secret-Word"

HELPER = """#!/bin/sh
# A docker-credential-helper: `get` reads the server URL on stdin.
read -r server || true
echo "$server" >> "%(log)s"
[ "$1" = get ] || exit 1
case "$server" in
  %(registry)s) printf '{"ServerURL":"%%s","Username":"alice","Secret":"%(password)s"}\\n' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
"""

# Stands in for skopeo where only the push script's decisions matter: logs
# the flags it got (no secret is ever a flag here) and the auth file handed
# to it, then refuses like a registry that wants credentials.
REFUSING_SKOPEO = """#!/bin/sh
log="%(log)s"
: > "$log"
while [ $# -gt 0 ]; do
  echo "$1" >> "$log"
  if [ "$1" = --dest-authfile ]; then cat "$2" >> "$log"; fi
  shift
done
echo "unauthorized: authentication required" >&2
exit 1
"""


def b64(text):
    return base64.b64encode(text.encode()).decode()


class PushTest(iwtest.ImagewriterTestCase):
    def setUp(self):
        super().setUp()
        self.home = self.path("home")
        os.makedirs(os.path.join(self.home, ".docker"))
        self.bin = self.path("bin")
        os.makedirs(self.bin)

    def start(self, users=None):
        reg = registry.Registry(self.dir, users=users, env={"PATH": "/usr/bin:/bin"})
        self.addCleanup(reg.stop)
        return reg

    def docker_config(self, config):
        with open(os.path.join(self.home, ".docker", "config.json"), "w") as f:
            json.dump(config, f)

    def helper(self, name, registry_addr):
        path = os.path.join(self.bin, "docker-credential-" + name)
        with open(path, "w") as f:
            f.write(HELPER % {"log": self.path(name + ".log"), "registry": registry_addr, "password": PASSWORD})
        os.chmod(path, 0o755)
        return self.path(name + ".log")

    def push(self, script, repository, *args, ok=True, **env):
        full = {"PATH": self.bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.home,
                "TMPDIR": self.dir, "RUNFILES_DIR": RUNFILES, "IMAGEWRITER_PUSH_BACKOFF": "0.1"}
        full.update(env)
        proc = subprocess.run([script, "--repository", repository, "--insecure"] + list(args), env=full,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        out = proc.stdout.decode()
        self.assertEqual(proc.returncode == 0, ok, out)
        return out

    def pushed(self, reg, repository, reference, auth=None):
        """The manifest digest the registry serves for repository:reference."""
        req = urllib.request.Request("http://%s/v2/%s/manifests/%s" % (reg.addr, repository, reference),
                                     method="GET")
        req.add_header("Accept", "application/vnd.oci.image.manifest.v1+json, "
                       "application/vnd.oci.image.index.v1+json")
        if auth:
            req.add_header("Authorization", "Basic " + b64(auth))
        with urllib.request.urlopen(req, timeout=10) as resp:
            return "sha256:" + hashlib.sha256(resp.read()).hexdigest()

    def test_credentials_from_docker_config_and_auth_json(self):
        reg = self.start({"alice": PASSWORD})
        digest = iwtest.read(HELLO["digest"]).decode()
        self.docker_config({"auths": {reg.addr: {"auth": b64("alice:" + PASSWORD)}}})
        self.push("examples/hello/push.sh", reg.addr + "/iw/auths")
        # credHelpers names a helper for this registry only.
        log = self.helper("iwtest", reg.addr)
        self.docker_config({"credHelpers": {reg.addr: "iwtest"}})
        self.push("examples/hello/push.sh", reg.addr + "/iw/helpers")
        # credsStore, which skopeo itself ignores: the script hands it over.
        self.docker_config({"credsStore": "iwtest"})
        self.push("examples/hello/push.sh", reg.addr + "/iw/store")
        self.assertEqual(iwtest.read(log).decode().split(), [reg.addr, reg.addr])
        # containers' auth.json, through both of its variables.
        self.docker_config({})
        auth_json = self.path("auth.json")
        with open(auth_json, "w") as f:
            json.dump({"auths": {reg.addr: {"auth": b64("alice:" + PASSWORD)}}}, f)
        self.push("examples/hello/push.sh", reg.addr + "/iw/authfile", REGISTRY_AUTH_FILE=auth_json)
        os.makedirs(self.path("run", "containers"))
        os.rename(auth_json, self.path("run", "containers", "auth.json"))
        self.push("examples/hello/push.sh", reg.addr + "/iw/xdg", XDG_RUNTIME_DIR=self.path("run"))
        for repo in ("auths", "helpers", "store", "authfile", "xdg"):
            self.assertEqual(self.pushed(reg, "iw/" + repo, "latest", "alice:" + PASSWORD), digest)

    def test_wrong_and_missing_credentials_name_registry_and_source(self):
        reg = self.start({"alice": PASSWORD})
        config = os.path.join(self.home, ".docker", "config.json")
        self.docker_config({"auths": {reg.addr: {"auth": b64("alice:not-" + PASSWORD)}}})
        out = self.push("examples/hello/push.sh", reg.addr + "/iw/hello", ok=False)
        self.assertIn("oci_push: %s refused %s/iw/hello:latest (credentials: %s)" % (reg.addr, reg.addr, config), out)
        self.assertNotIn(PASSWORD, out)
        self.assertNotIn(b64("alice:not-" + PASSWORD), out)
        self.docker_config({"auths": {"other.example:5000": {"auth": b64("alice:" + PASSWORD)}}})
        out = self.push("examples/hello/push.sh", reg.addr + "/iw/hello", ok=False)
        self.assertIn("refused %s/iw/hello:latest (credentials: none; no credsStore, and none of" % reg.addr, out)
        self.assertIn("names %s)" % reg.addr, out)
        self.assertNotIn(PASSWORD, out)
        # Authentication failures are not retried.
        self.assertNotIn("retrying", out)

    def test_bearer_token_flow(self):
        reg = self.start()
        front = registry.Front(reg.addr, {"bob": PASSWORD}, refresh_tokens=["refresh-" + PASSWORD])
        self.addCleanup(front.shutdown)
        digest = iwtest.read(HELLO["digest"]).decode()
        self.docker_config({"auths": {front.addr: {"auth": b64("bob:" + PASSWORD)}}})
        self.push("examples/hello/push.sh", front.addr + "/iw/token")
        self.assertIn(("basic", "repository:iw/token:pull,push"), front.token_requests)
        # An identity token is a refresh token for the token endpoint. docker
        # login writes it with `auth` holding "user:" and no password, and
        # skopeo needs that `auth`.
        self.docker_config({"auths": {front.addr: {"auth": b64("bob:"), "identitytoken": "refresh-" + PASSWORD}}})
        self.push("examples/hello/push.sh", front.addr + "/iw/identity")
        self.assertIn(("refresh", "repository:iw/identity:pull,push"), front.token_requests)
        self.assertEqual(self.pushed(reg, "iw/identity", "latest"), digest)
        self.docker_config({"auths": {front.addr: {"auth": b64("bob:wrong")}}})
        out = self.push("examples/hello/push.sh", front.addr + "/iw/token", ok=False)
        self.assertIn("oci_push: %s refused" % front.addr, out)
        self.assertNotIn(PASSWORD, out)

    def test_repush_moves_only_what_changed_and_tags_cost_nothing(self):
        reg = self.start()
        repository = reg.addr + "/iw/push"
        out = self.push("tests/e2e/push_v1.sh", repository)
        digest1 = iwtest.read(V1["digest"]).decode()
        for tag in ("v1", "stable", "latest"):
            self.assertIn("pushed %s:%s@%s" % (repository, tag, digest1), out)
            self.assertEqual(self.pushed(reg, "iw/push", tag), digest1)
        # Three layers and the config, once, whatever the number of tags.
        self.assertEqual(len(reg.uploads()), 4, reg.uploads())
        before = len(reg.requests())
        self.push("tests/e2e/push_v2.sh", repository)
        self.assertEqual(self.pushed(reg, "iw/push", "v2"), iwtest.read(V2["digest"]).decode())
        changed = {load(d["descriptor"])["digest"] for d in V2["layers"]} - \
            {load(d["descriptor"])["digest"] for d in V1["layers"]}
        self.assertEqual(len(changed), 1)
        uploads = reg.uploads(before)
        # The changed layer and the config: two uploads, each finished by one PUT.
        self.assertEqual(len(uploads), 2, uploads)
        finished = [r for r in reg.requests()[before:] if r[0] == "PUT" and "/blobs/uploads/" in r[1]]
        self.assertEqual(sorted(r[1].split("digest=")[1].replace("%3A", ":") for r in finished),
                         sorted(changed | {load(V2["manifest"])["config"]["digest"]}))
        manifests = [r for r in reg.requests()[before:] if r[0] == "PUT" and "/manifests/" in r[1]]
        self.assertEqual(len(manifests), 1, manifests)

    def test_retries_5xx_and_dropped_connections(self):
        reg = self.start()
        front = registry.Front(reg.addr, {"bob": PASSWORD})
        self.addCleanup(front.shutdown)
        self.docker_config({"auths": {front.addr: {"auth": b64("bob:" + PASSWORD)}}})
        front.faults = 3
        out = self.push("examples/hello/push.sh", front.addr + "/iw/retry")
        self.assertIn("transient failure, retrying in 0.1s (attempt 1 of 4)", out)
        self.assertIn("pushed %s/iw/retry:latest@" % front.addr, out)
        front.resets = 2
        out = self.push("examples/hello/push.sh", front.addr + "/iw/retry", "--tag", "again")
        self.assertIn("retrying", out)
        self.assertIn("pushed %s/iw/retry:again@" % front.addr, out)
        # A registry that stays down fails after the last attempt.
        front.faults = 1000
        out = self.push("examples/hello/push.sh", front.addr + "/iw/retry", ok=False,
                        IMAGEWRITER_PUSH_ATTEMPTS="2")
        self.assertIn("failed after 2 attempt(s)", out)

    def refusal_source(self, repository, config):
        """The credential source the script names when a stand-in skopeo
        refuses a push to repository, with config as docker's config.json
        (and no other auth file); and the stand-in's log."""
        self.docker_config(config)
        fake, log = self.path("bin", "fake-skopeo"), self.path("fake-skopeo.log")
        with open(fake, "w") as f:
            f.write(REFUSING_SKOPEO % {"log": log})
        os.chmod(fake, 0o755)
        out = self.push("examples/hello/push.sh", repository, ok=False, IMAGEWRITER_SKOPEO=fake)
        self.assertIn("oci_push: %s refused" % repository.split("/")[0], out)
        self.assertNotIn(PASSWORD, out)
        return out.split("(credentials: ")[1].split(")\n")[0], iwtest.read(log).decode()

    def skopeo_finds(self, repository):
        """Whether skopeo itself finds credentials for repository in docker's
        config.json, by its debug log. Nothing listens at the registry: the
        lookup comes before the connection, which is refused."""
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "TMPDIR": self.dir}
        proc = subprocess.run(["skopeo", "--debug", "inspect", "--tls-verify=false", "docker://" + repository],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        config = os.path.join(self.home, ".docker", "config.json")
        log = proc.stdout.decode()
        found = "Found credentials for %s in credential helper containers-auth.json in file %s" % (repository, config)
        self.assertTrue(found in log or "No credentials matching %s found in %s" % (repository, config) in log, log)
        return found in log

    def test_auth_keys_match_the_registry_exactly(self):
        config = os.path.join(self.home, ".docker", "config.json")
        store = "docker's credsStore helper docker-credential-iwtest (from %s)" % config
        entry = {"auth": b64("alice:" + PASSWORD)}
        host = "127.0.0.1:%d" % registry.free_port()
        loopback = host + "/iw/hello"
        # (repository, auths keys that name it, keys that do not)
        cases = [
            (loopback,
             [host, "https://%s/v1/" % host, "http://" + host, host + "/iw", host + "/iw/hello"],
             [host.replace(":", "0"), host.replace(".", "x"), host + "0", "127.0.0.1", host[:-1],
              host + "/other", host + "/iw/hello/more", host + "/iw/hel", host + "/",
              "https://%sx/v1/" % host, "x" + host, host + " "]),
            # Brackets and dots would be pattern syntax in a regex.
            ("[::1]:5000/iw/hello", ["[::1]:5000", "https://[::1]:5000/v2/"], ["1:5000", "::5000", ":1:5000"]),
            ("docker.io/library/hello",
             ["https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io", "docker.io/library"],
             ["docker.io/lib", "xdocker.io", "https://index.docker.io.example/v1/"]),
        ]
        for repository, named, unnamed in cases:
            for key in named + unnamed:
                with self.subTest(repository=repository, key=key):
                    source, log = self.refusal_source(repository, {"credsStore": "iwtest", "auths": {key: entry}})
                    if key in named:
                        self.assertEqual(source, config)
                        self.assertNotIn("--dest-authfile", log)
                    else:
                        self.assertEqual(source, store)
                        self.assertIn('{"credHelpers":{"%s":"iwtest"}}' % repository.split("/")[0], log)
                    # skopeo, which does the push, agrees (asked on the
                    # loopback registry only: the others would need DNS).
                    if repository == loopback:
                        self.docker_config({"auths": {key: entry}})
                        self.assertEqual(self.skopeo_finds(repository), key in named)
        # credHelpers: skopeo looks up the host itself, nothing else.
        repository = "127.0.0.1:5000/iw/hello"
        self.assertEqual(self.refusal_source(repository, {"credHelpers": {"127.0.0.1:5000": "iwtest"}})[0], config)
        for key in ["127.0.0.1:5000/iw", "https://127.0.0.1:5000", "127.0.0.105000"]:
            with self.subTest(credHelpers=key):
                source, _ = self.refusal_source(repository, {"credsStore": "iwtest", "credHelpers": {key: "x"}})
                self.assertEqual(source, store)
        # The registry as a key anywhere but in `auths` or `credHelpers`:
        # another section, an entry's own fields, a value.
        elsewhere = [
            {"proxies": {"127.0.0.1:5000": {"httpProxy": "http://127.0.0.1:1"}}},
            {"auths": {"other.example": {"127.0.0.1:5000": "x", "auth": b64("a:b")}}},
            {"HttpHeaders": {"X-Note": "\"127.0.0.1:5000\": {}"}},
            {"plugins": {"auths": {"127.0.0.1:5000": {}}}},
        ]
        for extra in elsewhere:
            with self.subTest(config=extra):
                source, _ = self.refusal_source(repository, dict(extra, credsStore="iwtest"))
                self.assertEqual(source, store)

    def test_lookalike_key_leaves_credentials_to_creds_store(self):
        reg = self.start({"alice": PASSWORD})
        log = self.helper("iwtest", reg.addr)
        # Neither entry is one skopeo uses for iw/hello: the push needs the
        # credsStore helper, and gets it.
        self.docker_config({"credsStore": "iwtest",
                            "auths": {reg.addr + "/other": {"auth": b64("alice:wrong")}},
                            "proxies": {reg.addr: {}}})
        out = self.push("examples/hello/push.sh", reg.addr + "/iw/hello")
        self.assertNotIn(PASSWORD, out)
        self.assertEqual(iwtest.read(log).decode().split(), [reg.addr])
        self.assertEqual(self.pushed(reg, "iw/hello", "latest", "alice:" + PASSWORD),
                         iwtest.read(HELLO["digest"]).decode())

    def test_flag_without_value_is_a_usage_error(self):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "RUNFILES_DIR": RUNFILES,
               "IMAGEWRITER_SKOPEO": "/nonexistent/skopeo"}
        for args, flag in [(["--repository"], "--repository"), (["--tag"], "--tag"), (["-t"], "-t"),
                           (["-r"], "-r"), (["--tag", "v1", "--tag"], "--tag"), (["--tag="], "--tag"),
                           (["--repository="], "--repository"),
                           (["--insecure", "--repository", "127.0.0.1:5000/x", "--tag"], "--tag")]:
            with self.subTest(args=args):
                proc = subprocess.run(["examples/hello/push.sh"] + args, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, timeout=60)
                err = proc.stderr.decode()
                self.assertEqual(proc.returncode, 2, err)
                self.assertEqual(proc.stdout, b"")
                self.assertIn("oci_push: %s needs a value\n" % flag, err)
                self.assertIn("usage: push.sh [--repository REGISTRY/PATH] [--tag TAG]...", err)
                self.assertNotIn("unbound", err)

    def test_run_time_names_are_checked_before_skopeo(self):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "RUNFILES_DIR": RUNFILES,
               "IMAGEWRITER_SKOPEO": "/nonexistent/skopeo"}
        for args, needle in [(["--repository", "127.0.0.1:5000/Bad"], "127.0.0.1:5000/Bad"),
                             (["--repository", "127.0.0.1:5000/x:v1"], "give tags in remote_tags"),
                             (["--tag", "bad tag"], 'remote tag "bad tag"'),
                             (["--repository", "127.0.0.1:5000/x", "--tag", "-v1"], 'remote tag "-v1"')]:
            with self.subTest(args=args):
                proc = subprocess.run(["examples/hello/push.sh"] + args, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, timeout=60)
                err = proc.stderr.decode()
                self.assertEqual(proc.returncode, 2, err)
                self.assertIn(needle, err)
                self.assertIn("usage: push.sh", err)
                self.assertNotIn("nonexistent", err)

    def test_a_name_without_a_registry_is_docker_hubs(self):
        # As docker and skopeo read "team/app": Docker Hub, whose config key
        # is https://index.docker.io/v1/; "team" is no registry.
        entry = {"auth": b64("alice:" + PASSWORD)}
        config = os.path.join(self.home, ".docker", "config.json")
        for repository in ["team/app", "app", "localhost/app", "localhost:5000/app"]:
            with self.subTest(repository=repository):
                hub = repository.split("/")[0] not in ["localhost", "localhost:5000"]
                self.docker_config({"auths": {"https://index.docker.io/v1/": entry}})
                fake, log = self.path("bin", "fake-skopeo"), self.path("fake-skopeo.log")
                with open(fake, "w") as f:
                    f.write(REFUSING_SKOPEO % {"log": log})
                os.chmod(fake, 0o755)
                out = self.push("examples/hello/push.sh", repository, ok=False, IMAGEWRITER_SKOPEO=fake)
                registry_name = "docker.io" if hub else repository.split("/")[0]
                self.assertIn("oci_push: %s refused" % registry_name, out)
                source = out.split("(credentials: ")[1].split(")\n")[0]
                self.assertEqual(source == config, hub, out)
                self.assertNotIn(PASSWORD, out)

    def test_index_keeps_every_child_digest(self):
        reg = self.start()
        self.push("examples/multiarch/push.sh", reg.addr + "/iw/multi")
        index = load(INDEX["index"])
        self.assertEqual(self.pushed(reg, "iw/multi", "1.0.0"), iwtest.read(INDEX["digest"]).decode())
        self.assertGreaterEqual(len(index["manifests"]), 2)
        for child in index["manifests"]:
            self.assertEqual(self.pushed(reg, "iw/multi", child["digest"]), child["digest"])


if __name__ == "__main__":
    import unittest
    unittest.main()
