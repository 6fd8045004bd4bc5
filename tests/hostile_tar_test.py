"""Hostile layer tars: where a reader other than Go's archive/tar would see
one file and docker, containerd or BuildKit (which extract with Go's
archive/tar) would write another.

Each refusal must be one error line naming the input and the offset, with
no output left behind (as in errors_test). The tars are built byte by byte
by tests/tar_oracle/tarmaker.py; tests/tar_oracle/oracle_test.py checks the
reading itself against Go.
"""
import os
import unittest

from tests import iwtest
from tests.tar_oracle.tarmaker import GNU, base256, end, entry, gnu_long, header, pax


class HostileTarTest(iwtest.ImagewriterTestCase):
    def setUp(self):
        super().setUp()
        self.out = self.path("out")
        os.mkdir(self.out)

    def write(self, name, data):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def run_layer(self, name, data, extra=()):
        src = self.write(name, data)
        args = ["layer", "--input", src, "--output", os.path.join(self.out, "blob"),
                "--descriptor-out", os.path.join(self.out, "desc.json"),
                "--diff-id-out", os.path.join(self.out, "diffid")] + list(extra)
        return src, iwtest.run(args, cwd=self.dir)

    def refused(self, name, data, *expected, extra=()):
        src, result = self.run_layer(name, data, extra)
        self.assertNotEqual(result.returncode, 0, "expected %s to be refused" % name)
        lines = result.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, "expected one error line, got: %r" % result.stderr)
        self.assertIn(": error: %s: " % src, lines[0])
        for text in expected:
            self.assertIn(text, lines[0])
        self.assertEqual(os.listdir(self.out), [], "outputs left behind after a failure")
        return lines[0]

    def accepted(self, name, data, extra=()):
        _, result = self.run_layer(name, data, extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(os.listdir(self.out)), ["blob", "desc.json", "diffid"])
        return result

    # --- Writes through symlinks ------------------------------------------

    def test_write_through_absolute_symlink(self):
        tar = header("lib", type=b"2", link="/etc") + entry("lib/cron.d/evil", b"* * * * * root sh\n") + end()
        self.refused("symlink.tar", tar, 'entry "lib/cron.d/evil" at offset 512 is written through symlink '
                     '"lib" -> "/etc" at offset 0, which points out of the layer root',
                     "--allow-writes-through-symlinks")
        self.accepted("symlink.tar", tar, extra=["--allow-writes-through-symlinks"])

    def test_write_through_a_chain_of_symlinks(self):
        tar = (header("a/up", type=b"2", link="../..") + header("b", type=b"2", link="a/up/etc") +
               entry("b/passwd", b"root::0:0::/:/bin/sh\n") + end())
        self.refused("chain.tar", tar, 'entry "b/passwd" at offset 1024 is written through symlink "a/up" -> "../.."')

    # --- Readings that differ from Go's -----------------------------------

    def test_gnu_long_name_wins_over_pax_path(self):
        # Go takes the 'L' name whatever the order; a reader letting the
        # later PAX path win would check "safe" and let ../../etc/passwd out.
        tar = gnu_long(b"L", "../../etc/passwd") + pax([("path", "safe")]) + entry("x", b"") + end()
        self.refused("long_name.tar", tar, 'entry "../../etc/passwd" at offset 0 escapes the layer root')

    def test_old_style_directory_does_not_hide_a_header(self):
        # Typeflag NUL with a trailing slash is a directory to Go: its size
        # is ignored, so the "data" after it is the next header.
        tar = header("dir/", size=512, type=b"\x00") + entry("../../evil", b"") + end()
        self.refused("rega.tar", tar, 'entry "../../evil" at offset 512 escapes the layer root')

    def test_gnu_header_with_a_prefix_where_its_times_are(self):
        # An old GNU header whose atime field is no number: Go reads those
        # bytes as a USTAR name prefix.
        tar = entry("passwd", b"", magic=GNU, prefix=b"../../etc") + end()
        self.refused("gnu_prefix.tar", tar, 'entry "../../etc/passwd" at offset 0 escapes the layer root')

    def test_pax_path_with_nul(self):
        tar = pax([("path", b"ok\x00/../../../x")]) + entry("x", b"") + end()
        self.refused("nul.tar", tar, "malformed tar at offset 0: PAX record path contains a NUL byte")

    def test_lone_zero_block_before_a_header(self):
        tar = entry("a", b"x") + b"\x00" * 512 + entry("../../b", b"y") + end()
        self.refused("zero_block.tar", tar, "malformed tar at offset 1536: a non-zero block after a zero block")

    def test_sparse_files_are_refused(self):
        tar = (pax([("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", "../../x")]) +
               entry("safe", b"1\n0\n0\n") + end())
        self.refused("sparse.tar", tar, 'malformed tar at offset 0: "../../x": GNU sparse files are not supported')
        old = header("sp", type=b"S", magic=GNU) + end()
        self.refused("old_sparse.tar", old, "malformed tar at offset 0", "GNU sparse files are not supported")

    def test_unparsable_pax_mtime(self):
        tar = pax([("mtime", "soon")]) + entry("x", b"") + end()
        self.refused("mtime.tar", tar, 'malformed tar at offset 0: PAX record mtime="soon" is not a number')

    def test_size_beyond_int64(self):
        tar = header("big", size=b"\x80\x00\x00\x00\x80" + b"\x00" * 7) + end()
        self.refused("size.tar", tar, "malformed tar at offset 0: size field is not a number")

    def test_negative_mtime_is_accepted(self):
        # GNU tar writes times before 1970 in base-256; Go reads them.
        self.accepted("old.tar", entry("old", b"x", mtime=base256(-86400, 12)) + end())

    # --- --rewrite-timestamp validates before it rewrites -------------------

    def test_rewrite_timestamp_does_not_repair_a_bad_checksum(self):
        tar = bytearray(entry("a", b"x", mtime=2000000000) + end())
        tar[1] = ord("b")  # The name changes; the stored checksum no longer holds.
        self.refused("checksum.tar", bytes(tar), "malformed tar at offset 0", "header checksum mismatch",
                     extra=["--rewrite-timestamp", "1000"])


if __name__ == "__main__":
    unittest.main()
