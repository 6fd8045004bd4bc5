"""Every oci_layer attribute, on layers the rules built (tests/rules/BUILD.bazel).

The image's layout is read with Python (json, hashlib), each layer with
Python's tarfile (zstd through the zstd CLI): entry names, types, modes,
owners, times, link targets and contents are asserted against the values
the BUILD file asks for, never against another run of the tool.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile
import unittest

from tests import iwtest

IMAGES = json.load(open("tests/rules/attr_images.json"))
IMAGE = IMAGES["//tests/rules:every_attr_image"]
CONFIG_TXT = iwtest.read(os.path.join(iwtest.TESTDATA, "files", "app", "config.txt"))
HELLO_SH = iwtest.read(os.path.join(iwtest.TESTDATA, "files", "app", "hello.sh"))
GREET_SH = iwtest.read("tests/rules/greet.sh")


def blob(digest):
    return iwtest.read(os.path.join(IMAGE["layout"], "blobs", "sha256", digest.split(":")[1]))


def uncompressed(layer):
    data = blob(layer["digest"])
    if layer["mediaType"].endswith("+gzip"):
        return gzip.decompress(data)
    if layer["mediaType"].endswith("+zstd"):
        return subprocess.run(["zstd", "-q", "-dc"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    return data


def entries(tar_bytes):
    """{name: (type, mode, uid, gid, mtime, linkname, content or None)}"""
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for m in tar.getmembers():
            content = tar.extractfile(m).read() if m.isreg() else None
            out[m.name] = (m.type, m.mode, m.uid, m.gid, m.mtime, m.linkname, content)
    return out


class LayerAttrsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.manifest = json.loads(iwtest.read(IMAGE["manifest"]))
        cls.config = json.loads(iwtest.read(IMAGE["config"]))
        cls.layers = cls.manifest["layers"]

    def test_layout_blobs_match_their_descriptors(self):
        index = json.loads(iwtest.read(os.path.join(IMAGE["layout"], "index.json")))
        self.assertEqual(blob(index["manifests"][0]["digest"]), iwtest.read(IMAGE["manifest"]))
        for d in [self.manifest["config"]] + self.layers:
            data = blob(d["digest"])
            self.assertEqual(d["digest"], "sha256:" + hashlib.sha256(data).hexdigest())
            self.assertEqual(d["size"], len(data))
        diff_ids = ["sha256:" + hashlib.sha256(uncompressed(l)).hexdigest() for l in self.layers]
        self.assertEqual(self.config["rootfs"]["diff_ids"], diff_ids)

    def test_files_symlinks_empty_dirs_modes_owner_mtime_hardlinks(self):
        # directory, srcs (an executable and a data file), files, modes,
        # symlinks, empty_dirs, hardlinks, owner, mtime.
        got = entries(uncompressed(self.layers[0]))
        d = (tarfile.DIRTYPE, 0o755, 1000, 2000, 1600000000, "", None)

        def reg(mode, content):
            return (tarfile.REGTYPE, mode, 1000, 2000, 1600000000, "", content)

        def link(kind, target):
            return (kind, 0o777 if kind == tarfile.SYMTYPE else 0o644, 1000, 2000, 1600000000,
                    target, None)

        self.assertEqual(got, {
            "etc": d, "etc/app": d, "opt": d, "opt/app": d, "usr": d, "usr/bin": d,
            "opt/app/cache": d, "opt/app/logs": d, "opt/app/logs/old": d,
            "etc/app/config.txt": reg(0o644, CONFIG_TXT),
            # The same source at a second path, same mode: a hard link.
            "opt/app/config.txt": link(tarfile.LNKTYPE, "etc/app/config.txt"),
            # sh_binary's files: the executable (0755) and its source script.
            "opt/app/greet": reg(0o755, GREET_SH),
            "opt/app/greet.sh": reg(0o644, GREET_SH),
            "usr/bin/hello.sh": reg(0o750, HELLO_SH),
            "opt/app/etc": link(tarfile.SYMTYPE, "/etc/app"),
            "usr/bin/hi": link(tarfile.SYMTYPE, "hello.sh"),
        })

    def test_mode_for_every_file_and_default_owner_and_mtime(self):
        got = entries(uncompressed(self.layers[1]))
        self.assertEqual(got, {
            "greet": (tarfile.REGTYPE, 0o600, 0, 0, 0, "", GREET_SH),
            "greet.sh": (tarfile.REGTYPE, 0o600, 0, 0, 0, "", GREET_SH),
            "srv": (tarfile.DIRTYPE, 0o755, 0, 0, 0, "", None),
            "srv/config.txt": (tarfile.REGTYPE, 0o600, 0, 0, 0, "", CONFIG_TXT),
        })

    def test_tar_with_allow_writes_through_symlinks(self):
        self.assertEqual(self.layers[2]["mediaType"], "application/vnd.oci.image.layer.v1.tar")
        data = uncompressed(self.layers[2])
        self.assertEqual(data, iwtest.read(os.path.join(iwtest.TESTDATA, "layers", "through_symlink.tar")))
        self.assertEqual(sorted(entries(data)), ["lib", "lib/motd"])

    def test_tar_with_rewrite_timestamp_and_zstd(self):
        self.assertEqual(self.layers[3]["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd")
        got = {name: e[4] for name, e in entries(uncompressed(self.layers[3])).items()}
        self.assertEqual(got, {"past.txt": 1000, "future.txt": 1700000000, "pax.txt": 1700000000})

    def test_annotations_created_by_comment(self):
        self.assertEqual(self.layers[0]["annotations"], {"com.example.layer": "files"})
        self.assertNotIn("annotations", self.layers[1])
        self.assertEqual(self.config["history"][0]["created_by"], "oci_layer(files_layer)")
        self.assertEqual(self.config["history"][0]["comment"], "every file attribute")
        self.assertEqual(self.config["history"][1]["created_by"],
                         "bazel build //tests/rules:every_attr_image")
        self.assertNotIn("comment", self.config["history"][1])

    def test_gzip_level_zero_is_stored(self):
        # Go's gzip.NoCompression layout: header, one stored block (the tar
        # is under 65535 bytes), an empty final stored block, CRC, ISIZE.
        tar = iwtest.read(os.path.join(iwtest.TESTDATA, "layers", "hello.tar"))
        data = blob(self.layers[4]["digest"])
        self.assertEqual(data[:10], b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
        self.assertEqual(data[10:15], b"\x00" + len(tar).to_bytes(2, "little") +
                         (0xffff - len(tar)).to_bytes(2, "little"))
        self.assertEqual(data[15:15 + len(tar)], tar)
        self.assertEqual(data[15 + len(tar):-8], b"\x01\x00\x00\xff\xff")
        self.assertEqual(gzip.decompress(data), tar)


def history_times(label):
    config = json.loads(iwtest.read(IMAGES[label]["config"]))
    return config["created"], [h["created"] for h in config["history"]]


class ClampBaseHistoryTest(unittest.TestCase):
    def test_base_history_kept_by_default(self):
        # BuildKit #4614: the base's entries keep their times; the new one
        # is clamped; the base's created (2023) is after the epoch: clamped.
        self.assertEqual(history_times("//tests/rules:on_2023_kept"),
                         ("2020-09-13T12:26:40Z", ["2023-11-14T22:13:20Z", "2020-09-13T12:26:40Z"]))

    def test_clamp_base_history(self):
        # Every time is the epoch.
        self.assertEqual(history_times("//tests/rules:on_2023_clamped"),
                         ("2020-09-13T12:26:40Z", ["2020-09-13T12:26:40Z", "2020-09-13T12:26:40Z"]))


if __name__ == "__main__":
    unittest.main()
