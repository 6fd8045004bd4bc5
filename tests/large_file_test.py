"""A file over 8 GiB in a layer built from files (manual: it hashes 9 GiB).

    bazel test //tests:large_file_test

The file is sparse, so it costs no disk; the layer is zstd level 1, so the
blob is small. The tar must carry the exact size (a PAX record: ustar's
octal field stops at 8 GiB), and the diffID must match an independent
hash of the uncompressed tar.
"""
import hashlib
import os
import subprocess
import unittest

from tests import iwtest

SIZE = 9 * (1 << 30) + 12345


class LargeFileTest(iwtest.ImagewriterTestCase):
    def test_nine_gib_file(self):
        big = self.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(SIZE)
        spec = self.path("files.json")
        iwtest.write_json(spec, {"entries": [{"path": "data/big.bin", "file": big}]})
        blob, desc, diff = self.path("blob"), self.path("desc"), self.path("diff")
        self.ok(["layer", "--files", spec, "--output", blob, "--compression", "zstd", "--level", "1",
                 "--descriptor-out", desc, "--diff-id-out", diff])
        proc = subprocess.Popen(["zstd", "-dc", blob], stdout=subprocess.PIPE)
        digest = hashlib.sha256()
        header = b""
        while True:
            chunk = proc.stdout.read(1 << 20)
            if not chunk:
                break
            if len(header) < 4096:
                header += chunk[:4096]
            digest.update(chunk)
        self.assertEqual(proc.wait(), 0)
        self.assertEqual(iwtest.read(diff).decode(), "sha256:" + digest.hexdigest())
        self.assertIn(b"size=%d\n" % SIZE, header)
        listing = subprocess.run("zstd -dc %s | tar -tvf -" % blob, shell=True, check=True,
                                 stdout=subprocess.PIPE).stdout.decode()
        self.assertIn(" %d " % SIZE, listing)


if __name__ == "__main__":
    unittest.main()
