"""Images FROM a base held in a layout or an archive.

The platform is picked from a multi-platform base, base layers are reused
byte for byte (same digests, same blobs), the config inherits Env and Cmd,
base history is kept, and the base.digest / base.name annotations are set.
"""
import gzip
import hashlib
import io
import json
import os
import tarfile
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


def check_layout(test, layout):
    """Reads an image layout with Python alone: every blob hashes to its
    name; index, manifest, config and layers are there with the sizes their
    descriptors give; each layer is a tar whose sha256 is its diffID.
    Returns (manifest, config)."""
    blobs = os.path.join(layout, "blobs", "sha256")
    for name in os.listdir(blobs):
        test.assertEqual(hashlib.sha256(iwtest.read(os.path.join(blobs, name))).hexdigest(), name)

    def blob(descriptor):
        data = iwtest.read(os.path.join(blobs, descriptor["digest"].split(":")[1]))
        test.assertEqual(len(data), descriptor["size"], descriptor["digest"])
        return data

    index = load(os.path.join(layout, "index.json"))
    test.assertEqual(len(index["manifests"]), 1)
    manifest = json.loads(blob(index["manifests"][0]))
    config = json.loads(blob(manifest["config"]))
    diff_ids = []
    for layer in manifest["layers"]:
        data = blob(layer)
        if layer["mediaType"].endswith("+gzip"):
            data = gzip.decompress(data)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.getmembers()
        diff_ids.append("sha256:" + hashlib.sha256(data).hexdigest())
    test.assertEqual(config["rootfs"]["diff_ids"], diff_ids)
    return manifest, config


def archive_index(path):
    """The index of an oci-archive and a reader of its JSON blobs, with
    Python's tarfile."""
    with tarfile.open(path) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isreg()}

    def blob(digest):
        return json.loads(files["blobs/sha256/" + digest.split(":")[1]])

    return json.loads(files["index.json"]), blob


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

    def test_from_source_directory(self):
        # The base is testdata/base_layout as a directory, not its files.
        entry = FILES["//tests/base:from_source_dir"]
        manifest, config = check_layout(self, entry["layout"])
        self.assertEqual(manifest, load(entry["manifest"]))
        descriptor, base = base_manifest("arm64")
        self.assertEqual(manifest["layers"], base["layers"])
        self.assertEqual(config["architecture"], "arm64")
        self.assertIn("APP=on arm64", config["config"]["Env"])
        self.assertEqual(manifest["annotations"]["org.opencontainers.image.base.digest"],
                         descriptor["digest"])

    def test_from_oci_archive(self):
        entry = FILES["//tests/base:from_oci_archive"]
        manifest, config = check_layout(self, entry["layout"])
        self.assertEqual(manifest, load(entry["manifest"]))
        index, archive_blob = archive_index("examples/multiarch/load_oci.tar")
        inner = archive_blob(index["manifests"][0]["digest"])
        arm = [m for m in inner["manifests"] if m["platform"]["architecture"] == "arm64"][0]
        self.assertEqual(manifest["layers"], archive_blob(arm["digest"])["layers"])
        self.assertEqual(manifest["annotations"]["org.opencontainers.image.base.digest"], arm["digest"])
        self.assertEqual((config["architecture"], config["variant"]), ("arm64", "v8"))
        self.assertEqual(config["config"]["Entrypoint"], ["/app/hello"])
        self.assertEqual(config["config"]["Cmd"], ["--from", "oci-archive"])

    def test_every_base_kind_gives_a_layout_python_reads(self):
        for label, entry in sorted(FILES.items()):
            if "manifest" in entry:
                manifest, _ = check_layout(self, entry["layout"])
                self.assertEqual(manifest, load(entry["manifest"]), label)


if __name__ == "__main__":
    unittest.main()
