"""Differential test: imagewriter's TarReader against Go's archive/tar.

Container runtimes extract layers with Go's archive/tar; imagewriter checks
paths on its own reading. Every case in cases.py and every file in corpus/
(regressions, many found by fuzz/tar_header_fuzz) is listed by tarlist.go,
compiled here with the host's go, and by tarlist_cc; the listings must be
the same, or both must refuse the archive after the same entries. Where
imagewriter is stricter on purpose the difference is allowed, and only
then (ALLOWED_STRICTER).

The same archives, where Go accepts them, also go through TimestampClamp
(what `--rewrite-timestamp` runs): Go must read its output as the same
entries, with no mtime above the epoch and every other one unchanged.

With TAR_ORACLE_DIR set, a case test_directory also checks every file of that
directory, and with TAR_ORACLE_KEEP set copies each disagreeing one into the
corpus it names: fuzz/run.sh runs it so over the tars tar_header_fuzz built.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tests import iwtest
from tests.tar_oracle.cases import CASES

HERE = os.path.abspath("tests/tar_oracle")
TARLIST_CC = os.path.join(HERE, "tarlist_cc")
CORPUS = os.path.join(HERE, "corpus")

# Go accepts these; imagewriter refuses them on purpose (see tar_reader.h).
ALLOWED_STRICTER = ("GNU sparse files are not supported", "entry has an empty name",
                    "the input is empty")


def build_go(tmp):
    return iwtest.build_go_oracle(tmp, os.path.join(HERE, "tarlist.go"), "tarlist_go")


def listing(binary, path):
    out = subprocess.run([binary, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return out.stdout.decode("latin-1").rstrip("\n").split("\n")


EPOCH = 1000000000


def clamped(lines):
    """A Go listing as it must read after clamping every time to EPOCH."""
    def fix(m):
        return "mtime=%d" % min(int(m.group(1)), EPOCH)
    return [re.sub(r"mtime=(-?\d+)$", fix, line) for line in lines]


def agree(go, cc):
    """None if the two listings agree, else why not."""
    if go == cc:
        return None
    if go[:-1] == cc[:-1] and go[-1].startswith("error") and cc[-1].startswith("error"):
        return None  # Both refuse, after the same entries.
    if go[-1].startswith("sparse") and cc[:-1] == go[:-1] and \
            "GNU sparse files are not supported" in cc[-1]:
        return None
    if cc[-1].startswith("error") and any(a in cc[-1] for a in ALLOWED_STRICTER) and \
            go[:len(cc) - 1] == cc[:-1]:
        return None
    return "go:\n  %s\nimagewriter:\n  %s" % ("\n  ".join(go), "\n  ".join(cc))


def keep(path, corpus):
    """Copies a disagreeing tar into the regression corpus, named as the fuzz finds are."""
    name = os.path.basename(path)
    dest = os.path.join(corpus, name if name.startswith("fuzz-") else "fuzz-" + name)
    if not os.path.exists(dest):
        shutil.copyfile(path, dest)
    return dest


class OracleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.go = build_go(cls.tmp)

    def differences(self, path):
        """(Go's listing, None) if both read the tar at path alike, else (.., why not)."""
        go, cc = listing(self.go, path), listing(TARLIST_CC, path)
        why = agree(go, cc)
        if why is None and go[-1] == "end" and cc[-1] == "end":
            why = self.rewrite_differences(path, go)
        return go, why

    def rewrite_differences(self, path, go):
        """None if Go reads the clamped tar as the same entries, clamped, else why not."""
        out = os.path.join(self.tmp, "clamped.tar")
        result = subprocess.run([TARLIST_CC, "--rewrite-timestamp", str(EPOCH), path, out],
                                stdout=subprocess.PIPE, check=True).stdout.decode("latin-1")
        if result != "":
            return "the clamp refused what the reader accepts: %s" % result.strip()
        expected, got = clamped(go), listing(self.go, out)
        if got != expected:
            return "Go reads the clamped tar differently\nexpected:\n  %s\ngo:\n  %s" % (
                "\n  ".join(expected), "\n  ".join(got))
        return None

    def check(self, name, path):
        go, why = self.differences(path)
        self.assertIsNone(why, "%s: Go and imagewriter read it differently\n%s" % (name, why))
        return go

    def test_generated_cases(self):
        for name, data in sorted(CASES.items()):
            with self.subTest(name):
                path = os.path.join(self.tmp, name + ".tar")
                with open(path, "wb") as f:
                    f.write(data)
                self.check(name, path)

    def test_regression_corpus(self):
        names = sorted(os.listdir(CORPUS))
        self.assertTrue(names, "corpus/ is empty")
        for name in names:
            with self.subTest(name):
                self.check(name, os.path.join(CORPUS, name))

    def test_the_oracle_sees_the_classic_cases(self):
        """The harness itself: these must not pass by both refusing everything."""
        path = os.path.join(self.tmp, "rega.tar")
        with open(path, "wb") as f:
            f.write(CASES["rega_directory_swallows_data"])
        go = self.check("rega", path)
        self.assertTrue(go[0].startswith("entry name=dir/ ") and "type=53" in go[0], go)
        self.assertTrue(go[1].startswith("entry name=hidden "), go)

    def check_directory(self):
        """Every file of $TAR_ORACLE_DIR (fuzz/run.sh: what tar_header_fuzz built).

        Each disagreement is reported with its file name and both views and,
        if $TAR_ORACLE_KEEP names the corpus, copied into it: from then on
        test_regression_corpus fails on it until the reader is fixed or the
        difference is allowed above.
        """
        directory = os.environ["TAR_ORACLE_DIR"]
        names = sorted(os.listdir(directory))
        self.assertTrue(names, "%s is empty" % directory)
        found = []
        for name in names:
            path = os.path.join(directory, name)
            why = self.differences(path)[1]
            if why is not None:
                if os.environ.get("TAR_ORACLE_KEEP"):
                    name += " (kept as %s)" % keep(path, os.environ["TAR_ORACLE_KEEP"])
                found.append("%s:\n%s" % (name, why))
        print("tar oracle: %d tars from %s, %d disagreements" % (len(names), directory, len(found)))
        if found:
            self.fail("Go and imagewriter disagree on %d of %d tars:\n%s" % (
                len(found), len(names), "\n".join(found)))


# A case only when there is a directory to check: a skipped case would make
# CI count the whole target as skipped.
if os.environ.get("TAR_ORACLE_DIR"):
    OracleTest.test_directory = OracleTest.check_directory


if __name__ == "__main__":
    unittest.main()
