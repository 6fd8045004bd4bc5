"""A real client reads what imagewriter writes: skopeo inspects the layout."""
import json
import os
import shutil
import subprocess
import unittest

from tests import iwtest


class SkopeoTest(iwtest.ImagewriterTestCase):
    def skopeo(self, *args):
        skopeo = shutil.which("skopeo")
        self.assertIsNotNone(skopeo, "skopeo is not installed: run tools/setup.sh")
        env = {"PATH": "/usr/bin:/bin", "HOME": self.dir, "TMPDIR": self.dir}
        proc = subprocess.run([skopeo] + list(args), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout

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


if __name__ == "__main__":
    unittest.main()
