"""Per-platform tags: oci_push(platform_tags = ...) of an index built from
one image target, against a loopback docker-registry.

- The index goes under its tag, each platform's image alone under its own,
  with the digests the build wrote; the platform tags upload no blob (the
  registry's access log says so) and push one manifest each.
- The arm64 image pulled back by its tag and pulled apart holds an aarch64
  program that runs under qemu-aarch64.
"""
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request

sys.path.insert(0, os.path.abspath("tests/e2e"))

from tests import iwtest  # noqa: E402
import registry  # noqa: E402

FILES = json.load(open("tests/multiplatform/push_images.json"))
INDEX = FILES["//examples/multiarch:index_from_one"]
RUNFILES = os.path.abspath("..")
SCRIPT = "examples/multiarch/push_from_one.sh"


def child_digests():
    """{architecture: manifest digest} of the built index."""
    index = json.loads(iwtest.read(INDEX["index"]))
    return {m["platform"]["architecture"]: m["digest"] for m in index["manifests"]}


class PlatformTagsTest(iwtest.ImagewriterTestCase):
    def env(self):
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir, "TMPDIR": self.dir,
                "RUNFILES_DIR": RUNFILES}

    def served(self, reg, reference):
        """(media type, digest) the registry serves for iw/multi:reference."""
        req = urllib.request.Request("http://%s/v2/iw/multi/manifests/%s" % (reg.addr, reference))
        req.add_header("Accept", "application/vnd.oci.image.manifest.v1+json, "
                       "application/vnd.oci.image.index.v1+json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body)["mediaType"], "sha256:" + hashlib.sha256(body).hexdigest()

    def test_platform_tags(self):
        reg = registry.Registry(self.dir, env={"PATH": "/usr/bin:/bin"})
        self.addCleanup(reg.stop)
        repository = reg.addr + "/iw/multi"
        proc = subprocess.run([SCRIPT, "--repository", repository, "--insecure"], env=self.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        out = proc.stdout.decode()
        self.assertEqual(proc.returncode, 0, out)
        index_digest = iwtest.read(INDEX["digest"]).decode()
        children = child_digests()
        self.assertEqual(sorted(children), ["amd64", "arm64"])
        self.assertIn("pushed %s:1.0.0@%s" % (repository, index_digest), out)
        self.assertEqual(self.served(reg, "1.0.0"),
                         ("application/vnd.oci.image.index.v1+json", index_digest))
        for arch, digest in children.items():
            self.assertIn("pushed %s:1.0.0-%s@%s" % (repository, arch, digest), out)
            self.assertEqual(self.served(reg, "1.0.0-" + arch),
                             ("application/vnd.oci.image.manifest.v1+json", digest))
        # Two layers and two configs, uploaded once, by the index push.
        self.assertEqual(len(reg.uploads()), 4, reg.uploads())
        manifests = [r for r in reg.requests() if r[0] == "PUT" and "/manifests/" in r[1]]
        self.assertEqual(len(manifests), 5, manifests)

        # The arm64 image, pulled by its own tag and pulled apart.
        pulled = self.path("pulled")
        subprocess.run(["skopeo", "copy", "--src-tls-verify=false",
                        "docker://%s:1.0.0-arm64" % repository, "oci:" + pulled + ":arm64"],
                       env=self.env(), check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        blob = lambda d: iwtest.read(os.path.join(pulled, "blobs", *d.split(":")))  # noqa: E731
        manifest = json.loads(blob(children["arm64"]))
        self.assertEqual(json.loads(blob(manifest["config"]["digest"]))["architecture"], "arm64")
        (layer,) = manifest["layers"]
        with tarfile.open(fileobj=io.BytesIO(blob(layer["digest"]))) as tar:
            program = tar.extractfile("app/hello").read()
        path = self.path("hello")
        with open(path, "wb") as f:
            f.write(program)
        os.chmod(path, 0o755)
        qemu = shutil.which("qemu-aarch64")
        self.assertIsNotNone(qemu, "qemu-aarch64 is not installed: run tools/setup.sh")
        run = subprocess.run([qemu, path, "from", "registry"], cwd="/", stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        self.assertEqual(run.stdout.decode(), "hello from imagewriter from registry (cwd /)\n",
                         run.stderr.decode())


if __name__ == "__main__":
    import unittest
    unittest.main()
