"""imagewriter's gzip level 0 against Go's compress/gzip at NoCompression.

BuildKit writes compression-level=0 layers with Go's gzip.NewWriterLevel(w,
0); imagewriter's `--level 0` must give the same bytes (src/compress/
internal/stored_gzip.h). gzip0.go is compiled here with the host's go and
gzips the tar imagewriter stored, with several write patterns; every
result must equal imagewriter's blob, and Python's gzip must read it back.
"""
import gzip
import io
import os
import subprocess
import tarfile
import tempfile
import unittest

from tests import iwtest

HERE = os.path.abspath("tests/gzip_oracle")


def build_go(tmp):
    return iwtest.build_go_oracle(tmp, os.path.join(HERE, "gzip0.go"), "gzip0")


def make_tar(path, sizes):
    """A tar of files of the given sizes, with bytes that do not repeat."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for i, size in enumerate(sizes):
            data = bytes((j * 7 + i + (j >> 8)) & 0xff for j in range(size))
            info = tarfile.TarInfo("f%d" % i)
            info.size, info.mtime = size, 1700000000
            tar.addfile(info, io.BytesIO(data))


class GzipLevelZeroOracleTest(iwtest.ImagewriterTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.go = build_go(cls.tmp)

    def check(self, name, tar_path):
        blob = self.layer(name, tar_path, ["--compression", "gzip", "--level", "0"])[2]
        ours = iwtest.read(blob)
        stored = gzip.decompress(ours)
        plain = self.path(name + ".plain")
        with open(plain, "wb") as f:
            f.write(stored)
        for writes in ([], ["1", "100", "65536"], ["70000"], ["65535"], ["4096", "3"]):
            go = subprocess.run([self.go, plain] + writes, stdout=subprocess.PIPE, check=True).stdout
            self.assertEqual(ours, go, "%s: Go (writes %s) and imagewriter differ" % (name, writes))
        return ours, stored

    def test_small_layer(self):
        ours, stored = self.check("hello", os.path.join(iwtest.TESTDATA, "layers", "hello.tar"))
        self.assertEqual(ours[:10], b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")

    def test_layers_over_several_blocks(self):
        # Tar sizes below, at and above whole 65535-byte blocks.
        for name, sizes in (("one", [64000]), ("several", [200000, 1, 65535]),
                            ("large", [3 << 20, 12345])):
            tar_path = self.path(name + ".tar")
            make_tar(tar_path, sizes)
            ours, stored = self.check(name, tar_path)
            blocks = -(-len(stored) // 65535)
            self.assertEqual(len(ours), len(stored) + 10 + 8 + 5 * blocks + 5)
            self.assertEqual(ours[-13:-8], b"\x01\x00\x00\xff\xff")

    def test_exact_block_multiple(self):
        # A stored stream of exactly two blocks: Go still ends with an empty
        # final block, and no empty data block comes before it.
        plain = self.path("exact.bin")
        with open(plain, "wb") as f:
            f.write(bytes(range(256)) * (2 * 65535 // 256) + bytes(2 * 65535 % 256))
        go = subprocess.run([self.go, plain], stdout=subprocess.PIPE, check=True).stdout
        self.assertEqual(len(go), 2 * 65535 + 10 + 8 + 10 + 5)
        self.assertEqual(gzip.decompress(go), iwtest.read(plain))


if __name__ == "__main__":
    unittest.main()
