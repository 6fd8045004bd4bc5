"""Unit tests of rules/private/fetch_blob.py, the shallow-pull fetch action.

Its credential lookup must agree with rules/private/auth.bzl (the
repository rule's); tests/integration/pull_auth.py and shallow_auth.py run
both against real registries. These cases pin the rules themselves: key
normalization, lookup order, helpers, and which token realms may receive
credentials.
"""
import base64
import importlib.util
import json
import os
import stat
import tempfile
import unittest

_HERE = os.path.dirname(os.path.abspath(__file__))
_SPEC = importlib.util.spec_from_file_location(
    "fetch_blob", os.path.join(os.path.dirname(_HERE), "rules", "private", "fetch_blob.py"))
fetch_blob = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fetch_blob)

SECRET = "s3cret-Value"


def b64(text):
    return base64.b64encode(text.encode()).decode()


class FetchBlobTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.env = {"HOME": self.dir, "PATH": os.path.join(self.dir, "bin")}
        os.makedirs(os.path.join(self.dir, "bin"))

    def write(self, relative, content):
        path = os.path.join(self.dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return path

    def helper(self, name, reply, code=0):
        path = self.write("bin/docker-credential-" + name,
                          "#!/bin/sh\ncat >/dev/null\necho '%s'\nexit %d\n" % (reply, code))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)

    def find(self, registry="r.example:5000", repository="team/app"):
        return fetch_blob.find_credentials(self.env, registry, repository)

    def test_normalize(self):
        for key, want in [("https://index.docker.io/v1/", "docker.io"), ("index.docker.io", "docker.io"),
                          ("registry-1.docker.io/library", "docker.io/library"),
                          ("https://r.example:5000/v1/", "r.example:5000"), ("http://r.example", "r.example"),
                          ("r.example/team/", "r.example/team"), ("[::1]:5000", "[::1]:5000")]:
            self.assertEqual(fetch_blob.normalize(key), want, key)

    def test_candidates_most_specific_first(self):
        self.assertEqual(fetch_blob.candidates("r:5000", "a/b/c"), ["r:5000/a/b/c", "r:5000/a/b", "r:5000/a", "r:5000"])

    def test_auth_json_before_docker_config_and_longest_key_wins(self):
        self.write(".docker/config.json", {"auths": {"r.example:5000": {"auth": b64("docker:" + SECRET)}}})
        self.assertEqual(self.find().login, "docker")
        self.write(".config/containers/auth.json", {"auths": {
            "r.example:5000": {"auth": b64("host:" + SECRET)},
            "r.example:5000/team": {"auth": b64("team:" + SECRET)},
            "r.example:5000/team/other": {"auth": b64("other:" + SECRET)}}})
        found = self.find()
        self.assertEqual((found.login, found.secret), ("team", SECRET))
        self.assertIn("auth.json", found.source)
        self.env["REGISTRY_AUTH_FILE"] = self.write("elsewhere.json", {"auths": {
            "https://r.example:5000/v1/": {"auth": b64("url:" + SECRET)}}})
        self.assertEqual(self.find().login, "url")

    def test_lookalike_keys_name_nothing(self):
        self.write(".docker/config.json", {"auths": {
            k: {"auth": b64("x:" + SECRET)} for k in ["r.example:50000", "r.example", "xr.example:5000",
                                                     "r.example:5000/teamx", "r.example:5000/team/app/more"]}})
        self.assertIsNone(self.find())

    def test_identity_token_and_token_login(self):
        self.write(".docker/config.json", {"auths": {"r.example:5000": {"identitytoken": "refresh-" + SECRET}}})
        self.assertEqual(self.find().identity_token, "refresh-" + SECRET)
        self.helper("tok", json.dumps({"Username": "<token>", "Secret": "refresh-" + SECRET}))
        self.write(".docker/config.json", {"credHelpers": {"r.example:5000": "tok"}})
        found = self.find()
        self.assertEqual((found.login, found.identity_token), ("", "refresh-" + SECRET))

    def test_helpers_cred_helpers_then_auths_then_creds_store(self):
        self.helper("store", json.dumps({"Username": "store", "Secret": SECRET}))
        self.helper("none", "credentials not found in native keychain", code=1)
        self.write(".docker/config.json", {"credsStore": "store", "credHelpers": {"r.example:5000": "none"},
                                           "auths": {"other.example": {"auth": b64("o:" + SECRET)}}})
        found = self.find()
        self.assertEqual(found.login, "store")
        self.assertIn("docker-credential-store", found.source)

    def test_errors_never_hold_the_secret(self):
        self.write(".docker/config.json", {"auths": {"r.example:5000": {"auth": b64("no-colon-" + SECRET)}}})
        with self.assertRaises(fetch_blob.FetchError) as e:
            self.find()
        self.assertIn("r.example:5000", str(e.exception))
        self.assertNotIn(SECRET, str(e.exception))
        self.helper("broken", "x", code=3)
        self.write(".docker/config.json", {"credHelpers": {"r.example:5000": "broken"}})
        with self.assertRaises(fetch_blob.FetchError) as e:
            self.find()
        self.assertIn("docker-credential-broken", str(e.exception))
        self.write(".docker/config.json", {"credHelpers": {"r.example:5000": "missing"}})
        with self.assertRaisesRegex(fetch_blob.FetchError, "is not on PATH"):
            self.find()

    def test_realms_that_may_get_credentials(self):
        for realm in ["https://auth.example/token", "http://127.0.0.1:5001/token", "http://localhost/t",
                      "http://[::1]:80/token", "http://user@127.0.0.1/token"]:
            self.assertTrue(fetch_blob.realm_ok(realm), realm)
        for realm in ["http://auth.example/token", "http://127.0.0.1.evil.example/token",
                      "http://127.0.0.1@evil.example/token", "ftp://127.0.0.1/token", "file:///etc/passwd",
                      "http://localhostx/token", "//auth.example/token", ""]:
            self.assertFalse(fetch_blob.realm_ok(realm), realm)

    def test_challenge(self):
        scheme, params = fetch_blob.challenge(
            {"WWW-Authenticate": 'Bearer realm="https://a.example/token",service="reg",scope="repository:x:pull"'})
        self.assertEqual(scheme, "bearer")
        self.assertEqual(params, {"realm": "https://a.example/token", "service": "reg", "scope": "repository:x:pull"})
        self.assertIsNone(fetch_blob.challenge({}))


if __name__ == "__main__":
    unittest.main()
