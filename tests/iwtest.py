"""Helpers for tests that drive the imagewriter binary like a user would."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

# Tests run from the runfiles tree of the main repository.
BINARY = os.path.abspath("src/cli/imagewriter")
TESTDATA = os.path.abspath("testdata")


class Result:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout.decode()
        self.stderr = proc.stderr.decode()


def run(args, cwd=None, env=None):
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    full_env.update(env or {})
    proc = subprocess.run([BINARY] + args, cwd=cwd, env=full_env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return Result(proc)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)


class ImagewriterTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def skopeo(self, *args):
        """Runs the host's skopeo (a client we did not write) and returns its stdout."""
        skopeo = shutil.which("skopeo")
        self.assertIsNotNone(skopeo, "skopeo is not installed: run tools/setup.sh")
        env = {"PATH": "/usr/bin:/bin", "HOME": self.dir, "TMPDIR": self.dir}
        proc = subprocess.run([skopeo] + list(args), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout

    def ok(self, args, **kwargs):
        result = run(args, cwd=kwargs.pop("cwd", self.dir), **kwargs)
        self.assertEqual(result.returncode, 0, "imagewriter %s failed: %s" % (args, result.stderr))
        return result

    def layer(self, name, input_path, extra=()):
        """Runs `imagewriter layer`; returns (descriptor file, diffid file, blob)."""
        blob, desc, diff = (self.path(name + s) for s in (".blob", ".desc.json", ".diffid"))
        self.ok(["layer", "--input", input_path, "--output", blob, "--descriptor-out", desc,
                 "--diff-id-out", diff] + list(extra))
        return desc, diff, blob

    def image(self, name, request):
        """Runs `imagewriter image` on a request dict; returns the output paths."""
        req = self.path(name + ".request.json")
        write_json(req, request)
        out = {k: self.path("%s.%s" % (name, k)) for k in ("config", "manifest", "descriptor", "digest")}
        self.ok(["image", "--request", req, "--config-out", out["config"],
                 "--manifest-out", out["manifest"], "--descriptor-out", out["descriptor"],
                 "--digest-out", out["digest"]])
        return out


def build_go_oracle(tmp, source, name, extra_gopath=()):
    """Compiles one Go file, a test oracle, with the host's go, offline.

    Go runs only as a reference for what Go's own libraries do (archive/tar,
    compress/gzip, estargz); nothing of it goes into the build. GOPATH mode
    with no network: extra_gopath adds Debian's /usr/share/gocode for
    packaged libraries. Returns the binary's path under tmp.
    """
    go = shutil.which("go") or "/usr/lib/go-1.19/bin/go"
    gopath = [os.path.join(tmp, "gopath")] + list(extra_gopath)
    env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "GOCACHE": os.path.join(tmp, "gocache"),
           "GOPATH": ":".join(gopath), "GO111MODULE": "off", "CGO_ENABLED": "0",
           "GOFLAGS": "", "GOTOOLCHAIN": "local"}
    src = os.path.join(tmp, os.path.basename(source))
    shutil.copy(source, src)
    binary = os.path.join(tmp, name)
    subprocess.run([go, "build", "-o", binary, src], env=env, check=True, cwd=tmp)
    return binary
