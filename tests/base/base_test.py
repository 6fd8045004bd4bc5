"""Images FROM a base held in a layout or an archive.

The platform is picked from a multi-platform base, base layers are reused
byte for byte (same digests, same blobs), the config inherits Env and Cmd,
base history is kept, and the base.digest / base.name annotations are set.
"""
import json
import os
import unittest

from tests import iwtest

FILES = json.load(open("tests/base/images.json"))
BASE = os.path.join(iwtest.TESTDATA, "base_layout")


def load(path):
    return json.loads(iwtest.read(path))


def base_manifest(arch):
    index = load(os.path.join(BASE, "index.json"))["manifests"][0]
    inner = load(os.path.join(BASE, "blobs", "sha256", index["digest"].split(":")[1]))
    for m in inner["manifests"]:
        if m["platform"]["architecture"] == arch:
            return m, load(os.path.join(BASE, "blobs", "sha256", m["digest"].split(":")[1]))
    raise AssertionError(arch)


class BaseTest(iwtest.ImagewriterTestCase):
    def check_from_layout(self, arch):
        entry = FILES["//tests/base:from_layout_" + arch]
        descriptor, base = base_manifest(arch)
        manifest = load(entry["manifest"])
        config = load(entry["config"])
        # Base layer first, the very same descriptor; then the new layer.
        self.assertEqual(manifest["layers"][0], base["layers"][0])
        self.assertEqual(len(manifest["layers"]), 2)
        self.assertEqual(config["architecture"], arch)
        self.assertIn("BASE=" + arch, config["config"]["Env"])
        self.assertIn("APP=on " + arch, config["config"]["Env"])
        self.assertEqual(config["config"]["Cmd"], ["/bin/base"])
        self.assertEqual(config["history"][0],
                         {"created": "2020-02-02T02:02:02Z", "created_by": "base layer for " + arch})
        self.assertEqual(manifest["annotations"], {
            "org.opencontainers.image.base.digest": descriptor["digest"],
            "org.opencontainers.image.base.name": "example.com/base:1.0"})
        # The layout holds the base blob, byte for byte, and verifies.
        layer = base["layers"][0]["digest"].split(":")[1]
        self.assertEqual(iwtest.read(os.path.join(entry["layout"], "blobs", "sha256", layer)),
                         iwtest.read(os.path.join(BASE, "blobs", "sha256", layer)))
        self.ok(["verify", os.path.abspath(entry["layout"])])

    def test_from_layout_amd64(self):
        self.check_from_layout("amd64")

    def test_from_layout_arm64_matches_v8(self):
        self.check_from_layout("arm64")

    def test_index_over_layout_based_images_verifies(self):
        self.ok(["verify", os.path.abspath(FILES["//tests/base:index_from_layout"]["layout"])])

    def test_from_tree_artifact_index(self):
        entry = FILES["//tests/base:from_index_tree"]
        config = load(entry["config"])
        self.assertEqual((config["architecture"], config["variant"]), ("arm64", "v8"))
        base = FILES["//examples/multiarch:index"]
        index = load(base["index"])
        arm = [m for m in index["manifests"] if m["platform"]["architecture"] == "arm64"][0]
        self.assertEqual(load(entry["manifest"])["annotations"]["org.opencontainers.image.base.digest"],
                         arm["digest"])
        self.ok(["verify", os.path.abspath(entry["layout"])])

    def test_from_archive(self):
        entry = FILES["//tests/base:from_archive"]
        hello = FILES["//examples/hello:image"]
        manifest = load(entry["manifest"])
        self.assertEqual(manifest["layers"], load(hello["manifest"])["layers"])
        config = load(entry["config"])
        self.assertEqual(config["config"]["Entrypoint"], ["/app/hello"])
        self.assertEqual(config["config"]["Cmd"], ["--from", "archive"])
        # The docker archive records the tag it was saved under.
        self.assertEqual(manifest["annotations"]["org.opencontainers.image.base.name"],
                         "example.com/hello:1.0")
        self.assertEqual(manifest["annotations"]["org.opencontainers.image.base.digest"],
                         iwtest.read(hello["digest"]).decode())
        self.ok(["verify", os.path.abspath(entry["layout"])])


if __name__ == "__main__":
    unittest.main()
