"""A real client reads what imagewriter writes: skopeo inspects the layout,
and Go's zstd decoder (inside skopeo) reads a zstd layer of several frames."""
import hashlib
import io
import json
import os
import random
import tarfile
import unittest

from tests import iwtest


class SkopeoTest(iwtest.ImagewriterTestCase):
    def test_inspect_image_layout(self):
        desc, diff, blob = self.layer("hello", os.path.join(iwtest.TESTDATA, "layers/hello.tar"))
        out = self.image("img", {"layers": [{"descriptorFile": desc, "diffIdFile": diff}],
                                 "entrypoint": {"values": ["/app/hello.sh"]},
                                 "env": ["GREETING=hi"], "labels": {"k": "v"},
                                 "platform": "linux/arm64/v8"})
        layout = self.path("layout")
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["config"],
                 "--metadata", out["manifest"], "--blob", "%s=%s" % (desc, blob)])
        info = json.loads(self.skopeo("inspect", "oci:" + layout))
        self.assertEqual(info["Digest"], iwtest.read(out["digest"]).decode())
        self.assertEqual(info["Architecture"], "arm64")
        self.assertEqual(info["Labels"], {"k": "v"})
        self.assertIn("GREETING=hi", info["Env"])
        layer_digest = json.loads(iwtest.read(desc))["digest"]
        self.assertEqual(info["Layers"], [layer_digest])
        self.assertEqual(self.skopeo("inspect", "--raw", "oci:" + layout), iwtest.read(out["manifest"]))
        self.assertEqual(self.skopeo("inspect", "--config", "--raw", "oci:" + layout),
                         iwtest.read(out["config"]))

    def test_go_reads_a_zstd_layer_of_several_frames(self):
        # 11 MB of files: three 4 MiB blocks, so three zstd frames. skopeo
        # decompresses the layer with Go's zstd decoder to recompress it as
        # gzip; Python's tarfile then reads the files back from that.
        rng = random.Random(7)
        files = {"data/random.bin": bytes(rng.getrandbits(8) for _ in range(6 << 20)),
                 "data/text.txt": b"imagewriter zstd frames\n" * 200000}
        tar_path = self.path("in.tar")
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in sorted(files.items()):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        desc, diff, blob = self.layer("big", tar_path, ["--compression", "zstd", "--threads", "3"])
        self.assertEqual(iwtest.read(blob).count(b"\x28\xb5\x2f\xfd"), 3, "expected three frames")
        out = self.image("img", {"layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        layout = self.path("layout")
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["config"],
                 "--metadata", out["manifest"], "--blob", "%s=%s" % (desc, blob)])
        gz = self.path("gz")
        self.skopeo("copy", "-q", "--dest-compress", "--dest-compress-format", "gzip",
                    "oci:" + layout, "oci:%s:latest" % gz)
        manifest = json.loads(iwtest.read(os.path.join(gz, "blobs", "sha256", json.loads(
            iwtest.read(os.path.join(gz, "index.json")))["manifests"][0]["digest"].split(":")[1])))
        layer = manifest["layers"][0]
        self.assertIn("gzip", layer["mediaType"])
        with tarfile.open(os.path.join(gz, "blobs", "sha256", layer["digest"].split(":")[1]), "r:gz") as tar:
            for name, data in files.items():
                self.assertEqual(hashlib.sha256(tar.extractfile(name).read()).digest(),
                                 hashlib.sha256(data).digest(), name)


if __name__ == "__main__":
    unittest.main()
