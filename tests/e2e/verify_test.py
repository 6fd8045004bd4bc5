"""`imagewriter verify` accepts good images and pins the first problem of bad ones.

Each corruption is made on a copy of a real image built by the rules (or with
the CLI), then verify must exit non-zero with one line naming the file and
the problem.
"""
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
import unittest

from tests import iwtest

FILES = json.load(open("tests/e2e/images.json"))
HELLO = FILES["//examples/hello:image"]
INDEX = FILES["//examples/multiarch:index"]


class VerifyTest(iwtest.ImagewriterTestCase):
    def copy_layout(self, entry):
        dest = self.path("layout-copy")
        shutil.copytree(entry["layout"], dest)
        for root, dirs, files in os.walk(dest):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
        return dest

    def manifest(self, entry=HELLO):
        return json.loads(iwtest.read(entry["manifest"]))

    def blob(self, layout, digest):
        return os.path.join(layout, "blobs", "sha256", digest.split(":")[1])

    def verify_ok(self, path):
        result = iwtest.run(["verify", path])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("OK:", result.stdout)
        return result.stdout

    def verify_fails(self, path, *expected):
        result = iwtest.run(["verify", path])
        self.assertNotEqual(result.returncode, 0, "verify accepted a corrupt image")
        lines = result.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, result.stderr)
        for text in expected:
            self.assertIn(text, lines[0])

    def archive(self, layout, fmt="docker"):
        out = self.path("archive-%s.tar" % fmt)
        self.ok(["archive", "--layout", os.path.abspath(layout), "--output", out, "--format", fmt, "--tag", "t/x:1"])
        return out

    def test_good_images_verify(self):
        self.assertIn("1 manifests, 1 layers", self.verify_ok(HELLO["layout"]))
        self.assertIn("2 manifests, 2 layers", self.verify_ok(INDEX["layout"]))
        self.verify_ok(self.archive(HELLO["layout"]))
        self.verify_ok(self.archive(INDEX["layout"], "oci"))

    def test_truncated_layer_blob(self):
        layout = self.copy_layout(HELLO)
        layer = self.manifest()["layers"][0]
        path = self.blob(layout, layer["digest"])
        with open(path, "r+b") as f:
            f.truncate(layer["size"] // 2)
        self.verify_fails(layout, layer["digest"].split(":")[1], "%d bytes but the descriptor" % (layer["size"] // 2),
                          "says %d" % layer["size"])

    def test_wrong_digest(self):
        layout = self.copy_layout(HELLO)
        layer = self.manifest()["layers"][0]
        path = self.blob(layout, layer["digest"])
        data = bytearray(iwtest.read(path))
        data[len(data) // 2] ^= 0xFF
        with open(path, "wb") as f:
            f.write(data)
        self.verify_fails(layout, "content hashes to", "not its digest")
        # The same corruption inside a docker archive.
        self.verify_fails(self.archive(layout), "content hashes to")

    def test_missing_blob(self):
        layout = self.copy_layout(HELLO)
        config = self.manifest()["config"]["digest"]
        os.remove(self.blob(layout, config))
        self.verify_fails(layout, "blob missing", "config")

    def test_truncated_archive(self):
        archive = self.archive(HELLO["layout"])
        data = iwtest.read(archive)
        with open(archive, "wb") as f:
            f.write(data[: len(data) // 2])
        self.verify_fails(archive, "archive-docker.tar", "truncated tar")

    def cli_image(self, tar_bytes, diff_id=None):
        """layer + image + layout with the CLI; optionally lies about the diffID."""
        src = self.path("in.tar")
        with open(src, "wb") as f:
            f.write(tar_bytes)
        desc, diff, blob = self.layer("l", src)
        if diff_id:
            with open(diff, "w") as f:
                f.write(diff_id)
        out = self.image("img", {"layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        layout = self.path("cli-layout")
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["config"],
                 "--metadata", out["manifest"], "--blob", "%s=%s" % (desc, blob)])
        return layout

    def test_diff_id_mismatch(self):
        tar = iwtest.read(os.path.join(iwtest.TESTDATA, "layers/extra.tar"))
        layout = self.cli_image(tar, diff_id="sha256:" + "0" * 64)
        self.verify_fails(layout, "does not match rootfs.diff_ids[0]", "sha256:" + "0" * 64)

    def test_duplicate_tar_paths(self):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for content in (b"one", b"two"):
                info = tarfile.TarInfo("etc/config")
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        self.verify_fails(self.cli_image(buf.getvalue()), 'duplicate path "etc/config"', "offsets 0 and 1024")

    def write_blob(self, layout, data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    def test_index_nesting_too_deep(self):
        layout = self.copy_layout(HELLO)
        child = json.loads(iwtest.read(os.path.join(layout, "index.json")))["manifests"][0]
        for _ in range(10):
            index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [child]}
            d = self.write_blob(layout, json.dumps(index).encode())
            child = dict(d, mediaType="application/vnd.oci.image.index.v1+json")
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [child]}, f)
        self.verify_fails(layout, "nesting deeper than 8")

    def test_unknown_layer_media_type(self):
        layout = self.copy_layout(HELLO)
        manifest = self.manifest()
        manifest["layers"][0]["mediaType"] = "application/x-unknown"
        d = self.write_blob(layout, json.dumps(manifest).encode())
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [
                dict(d, mediaType="application/vnd.oci.image.manifest.v1+json")]}, f)
        self.verify_fails(layout, "layers[0]", 'unsupported layer media type "application/x-unknown"')

    def test_not_an_image(self):
        empty = self.path("empty")
        os.mkdir(empty)
        self.verify_fails(empty, "neither an OCI layout")


if __name__ == "__main__":
    unittest.main()
