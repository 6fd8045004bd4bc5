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

    def corrupt_layer(self):
        """A copy of HELLO's layout with one byte of its layer blob flipped."""
        layout = self.copy_layout(HELLO)
        path = self.blob(layout, self.manifest()["layers"][0]["digest"])
        data = bytearray(iwtest.read(path))
        data[len(data) // 2] ^= 0xFF
        with open(path, "wb") as f:
            f.write(data)
        return layout

    def test_wrong_digest(self):
        layout = self.corrupt_layer()
        layer = self.manifest()["layers"][0]
        self.verify_fails(layout, "content hashes to", "not its digest")
        # The same corruption inside a docker archive (`archive` refuses to
        # pack it, so it is made in the tar).
        archive = self.archive(HELLO["layout"])
        data = bytearray(iwtest.read(archive))
        with tarfile.open(archive) as tar:
            member = tar.getmember("blobs/sha256/" + layer["digest"].split(":")[1])
        data[member.offset_data + member.size // 2] ^= 0xFF
        with open(archive, "wb") as f:
            f.write(data)
        self.verify_fails(archive, "content hashes to")

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

    # What `docker load` refuses, verify refuses (issue 12, item 5).

    def raw_layout(self, layer_tar, manifest_extra=None, index_extra=None, oci_layout=True):
        """A layout written by hand around an uncompressed layer tar."""
        self.raw_count = getattr(self, "raw_count", 0) + 1
        layout = self.path("raw-layout-%d" % self.raw_count)
        os.makedirs(os.path.join(layout, "blobs", "sha256"))
        layer = dict(self.write_blob(layout, layer_tar), mediaType="application/vnd.oci.image.layer.v1.tar")
        config = {"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}
        config_d = dict(self.write_blob(layout, json.dumps(config).encode()),
                        mediaType="application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_d, "layers": [layer]}
        manifest.update(manifest_extra or {})
        manifest_d = dict(self.write_blob(layout, json.dumps(manifest).encode()),
                          mediaType="application/vnd.oci.image.manifest.v1+json")
        index = {"schemaVersion": 2, "manifests": [manifest_d]}
        index.update(index_extra or {})
        iwtest.write_json(os.path.join(layout, "index.json"), index)
        if oci_layout:
            with open(os.path.join(layout, "oci-layout"), "w") as f:
                f.write(oci_layout if isinstance(oci_layout, str) else '{"imageLayoutVersion":"1.0.0"}')
        return layout

    def tar_of(self, *entries):
        """A ustar tar of (name, type, linkname) entries, files empty."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for name, kind, link in entries:
                info = tarfile.TarInfo(name)
                info.type = kind
                info.linkname = link
                tar.addfile(info)
        return buf.getvalue()

    def test_hand_made_layout_verifies(self):
        self.verify_ok(self.raw_layout(self.tar_of(("etc/x", tarfile.REGTYPE, ""))))

    def test_layer_entry_escaping_the_root(self):
        layout = self.raw_layout(self.tar_of(("a/../../etc/passwd", tarfile.REGTYPE, "")))
        self.verify_fails(layout, 'entry "a/../../etc/passwd" at offset 0 escapes the layer root')

    def test_layer_hard_link_escaping_the_root(self):
        layout = self.raw_layout(self.tar_of(("x", tarfile.REGTYPE, ""), ("l", tarfile.LNKTYPE, "../../etc/shadow")))
        self.verify_fails(layout, 'hard link "l" -> "../../etc/shadow"', "points out of the layer root")

    def test_layer_writing_through_a_symlink(self):
        # An extractor following "lib" would write /etc/x on the host; the
        # symlink alone is fine (it only resolves inside the container).
        self.verify_ok(self.raw_layout(self.tar_of(("lib", tarfile.SYMTYPE, "/etc"))))
        layout = self.raw_layout(self.tar_of(("lib", tarfile.SYMTYPE, "/etc"), ("lib/x", tarfile.REGTYPE, "")))
        self.verify_fails(layout, 'entry "lib/x" at offset 512 is written through symlink "lib" -> "/etc" '
                          "at offset 0, which points out of the layer root")

    def test_layer_writing_through_a_climbing_symlink(self):
        layout = self.raw_layout(self.tar_of(("lib", tarfile.SYMTYPE, "../../.."), ("lib/x", tarfile.REGTYPE, "")))
        self.verify_fails(layout, 'entry "lib/x" at offset 512 is written through symlink "lib" -> "../../.." '
                          "at offset 0, which points out of the layer root")

    def test_layer_with_bad_header(self):
        tar = bytearray(self.tar_of(("etc/x", tarfile.REGTYPE, "")))
        tar[148:156] = b"0000000\0"  # The header checksum.
        self.verify_fails(self.raw_layout(bytes(tar)), "header checksum mismatch", "offset 0")

    def test_manifest_schema_version(self):
        self.verify_fails(self.raw_layout(self.tar_of(), manifest_extra={"schemaVersion": 1}),
                          ".schemaVersion: 1, must be 2")
        self.verify_fails(self.raw_layout(self.tar_of(), manifest_extra={"schemaVersion": None}),
                          ".schemaVersion: required, must be 2")

    def test_index_schema_version(self):
        self.verify_fails(self.raw_layout(self.tar_of(), index_extra={"schemaVersion": 3}),
                          "index.json.schemaVersion: 3, must be 2")
        self.verify_fails(self.raw_layout(self.tar_of(), index_extra={"schemaVersion": "2"}),
                          "index.json.schemaVersion: expected an integer, got a string")

    def test_oci_layout_file_required(self):
        self.verify_fails(self.raw_layout(self.tar_of(), oci_layout=False), "oci-layout: missing")
        layout = self.raw_layout(self.tar_of(), oci_layout='{"imageLayoutVersion":"2.0.0"}')
        self.verify_fails(layout, 'oci-layout.imageLayoutVersion: "2.0.0", must be "1.0.0"')
        # The same in an oci archive.
        archive = self.path("no-marker.tar")
        with tarfile.open(self.archive(HELLO["layout"], "oci")) as src, tarfile.open(archive, "w") as dst:
            for member in src.getmembers():
                if member.name != "oci-layout":
                    dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        self.verify_fails(archive, "no-marker.tar: oci-layout: missing")

    def rewrite_archive(self, name, add=(), manifest=None):
        """A copy of HELLO's docker archive with extra entries, or a new manifest.json."""
        out = self.path(name)
        with tarfile.open(self.archive(HELLO["layout"])) as src, tarfile.open(out, "w") as dst:
            for member in src.getmembers():
                if member.name == "manifest.json" and manifest is not None:
                    data = json.dumps(manifest(json.load(src.extractfile(member)))).encode()
                    member.size = len(data)
                    dst.addfile(member, io.BytesIO(data))
                else:
                    dst.addfile(member, src.extractfile(member) if member.isfile() else None)
            for entry in add:
                info = tarfile.TarInfo(entry)
                dst.addfile(info, io.BytesIO(b""))
        return out

    def test_archive_entry_climbing_out(self):
        self.verify_fails(self.rewrite_archive("dotdot.tar", add=["blobs/../../evil"]),
                          'dotdot.tar: archive entry "blobs/../../evil"', "leaves the archive")

    def test_archive_entry_absolute(self):
        self.verify_fails(self.rewrite_archive("abs.tar", add=["/etc/evil"]),
                          'archive entry "/etc/evil"', "is absolute")

    def test_docker_manifest_paths_leaving_the_archive(self):
        def bad_layer(items):
            items[0]["Layers"][0] = "../" + items[0]["Layers"][0]
            return items

        def bad_config(items):
            items[0]["Config"] = "/etc/" + items[0]["Config"]
            return items
        self.verify_fails(self.rewrite_archive("layer.tar", manifest=bad_layer),
                          "manifest.json[0].Layers[0]", "is not a path inside the archive")
        self.verify_fails(self.rewrite_archive("config.tar", manifest=bad_config),
                          "manifest.json[0].Config", '"/etc/blobs/sha256/', "is not a path inside the archive")
        # The same in an extracted docker archive: a directory.
        directory = self.path("extracted")
        os.mkdir(directory)
        with tarfile.open(self.path("layer.tar")) as tar:
            tar.extractall(directory)
        self.verify_fails(directory, "manifest.json[0].Layers[0]", "is not a path inside the archive")

    def test_archive_refuses_a_blob_that_does_not_match_its_digest(self):
        layout = self.corrupt_layer()
        layer = self.manifest()["layers"][0]
        out = self.path("out")
        os.mkdir(out)
        for fmt in ("docker", "oci"):
            result = iwtest.run(["archive", "--layout", layout, "--output", os.path.join(out, "a.tar"),
                                 "--format", fmt])
            self.assertNotEqual(result.returncode, 0, "archive packed a corrupt blob")
            lines = result.stderr.strip().split("\n")
            self.assertEqual(len(lines), 1, result.stderr)
            self.assertIn("blobs/sha256/%s: content hashes to sha256:" % layer["digest"].split(":")[1], lines[0])
            self.assertIn("not its digest", lines[0])
            self.assertEqual(os.listdir(out), [], "archive left output behind")

    def test_not_an_image(self):
        empty = self.path("empty")
        os.mkdir(empty)
        self.verify_fails(empty, "neither an OCI layout")


if __name__ == "__main__":
    unittest.main()
