"""imagewriter's eStargz against stargz-snapshotter's estargz package.

verify.go is compiled here with the host's go and the estargz sources of
Debian's golang-github-containerd-stargz-snapshotter-dev (tools/setup.sh
installs it). For a varied tar (empty files, files of exactly 4 MiB and
over it, so chunked, symlinks, hard links, directories, devices, a FIFO,
PAX long names, xattrs, owner names, a fractional mtime, non-ASCII names)
it checks that:
  - estargz.Open reads the blob, VerifyTOC accepts it under the descriptor's
    toc.digest, every chunk inflates alone from its own member to bytes that
    match its chunkDigest and the tar, and OpenFile reads every file back;
  - the TOC is the one estargz's own writer makes from the same tar, as
    BuildKit calls it, except for member offsets (the deflate bytes differ);
  - the blob is gzip to any reader: it decompresses to the tar followed by
    the TOC's tar, whose sha256 and size are the diffID and the
    uncompressed-size annotation;
  - the bytes do not depend on the thread count, and a small input has a
    fixed digest;
  - at level 0 the blob is BuildKit's, byte for byte: the digests below
    were made with estargz v0.18.2's writer as BuildKit calls it
    (buildkit_writer.go);
  - a blob that already is eStargz passes through unchanged, whether
    imagewriter or estargz v0.12 (estargz_maker.go: its lossless writer,
    and its Build) wrote it;
  - a blob whose TOC lies about its tar (an entry renamed, added, left
    out, its mode changed, a chunk's offset or digest wrong) is refused,
    with the input, the entry and the field named, and no output left;
  - skopeo and umoci read an image with an eStargz layer.
"""
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest

from tests import iwtest

HERE = os.path.abspath("tests/estargz_oracle")
GOCODE = "/usr/share/gocode"
ESTARGZ_SRC = os.path.join(GOCODE, "src/github.com/containerd/stargz-snapshotter/estargz")
TOC_DIGEST = "containerd.io/snapshot/stargz/toc.digest"
UNCOMPRESSED_SIZE = "io.containers.estargz.uncompressed-size"


def build_go(tmp):
    if not os.path.isdir(ESTARGZ_SRC):
        raise RuntimeError(ESTARGZ_SRC + " is missing: run tools/setup.sh "
                           "(golang-github-containerd-stargz-snapshotter-dev)")
    return iwtest.build_go_oracle(tmp, os.path.join(HERE, "verify.go"), "estargz_verify",
                                  extra_gopath=[GOCODE])


def add(tar, name, data=None, **fields):
    info = tarfile.TarInfo(name)
    for key, value in fields.items():
        setattr(info, key, value)
    if data is None:
        tar.addfile(info)
    else:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def make_corpus(path, devices=True, xattrs=True):
    rng = random.Random(3)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "./", type=tarfile.DIRTYPE, mode=0o755, mtime=1700000000)
        add(tar, "./etc/", type=tarfile.DIRTYPE, mode=0o755, mtime=1700000000,
            uname="root", gname="root")
        add(tar, "./etc/empty", b"", mtime=1700000000.6)
        add(tar, "./etc/hello", b"hello\n", uid=1000, gid=1000, uname="me", gname="us")
        add(tar, "./big/", type=tarfile.DIRTYPE, mode=0o755)
        add(tar, "./big/exact4m", bytes(rng.getrandbits(8) for _ in range(4 << 20)))
        add(tar, "./big/nine", b"abc" * (3 << 20))
        add(tar, "./big/four_plus", bytes(rng.getrandbits(8) for _ in range((4 << 20) + 1)))
        add(tar, "./link", type=tarfile.SYMTYPE, linkname="etc/hello")
        add(tar, "./hard", type=tarfile.LNKTYPE, linkname="./etc/hello")
        add(tar, "./" + "long/" * 30 + "name.txt", b"long name\n")
        add(tar, "./" + "l" * 120, type=tarfile.SYMTYPE, linkname="t" * 150)
        info = tarfile.TarInfo("./x.txt")
        info.size = 3
        if xattrs:
            info.pax_headers = {"SCHILY.xattr.user.k": "v\x00w",
                                "SCHILY.xattr.security.capability": "\x01\x02"}
        tar.addfile(info, io.BytesIO(b"xyz"))
        if devices:
            add(tar, "./dev/", type=tarfile.DIRTYPE, mode=0o755)
            add(tar, "./dev/null", type=tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
            add(tar, "./dev/sda", type=tarfile.BLKTYPE, devmajor=8, devminor=0)
            add(tar, "./fifo", type=tarfile.FIFOTYPE)
        add(tar, "./\u00fc<&>.txt", b"unicode\n")


def toc_of(blob):
    """The TOC JSON of an eStargz blob, found through its footer."""
    offset = int(blob[-51 + 16:-51 + 32], 16)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob[offset:]))) as tar:
        names = tar.getnames()
        assert names == ["stargz.index.json"], names
        return tar.extractfile("stargz.index.json").read()


def footer(toc_offset):
    """The eStargz footer pointing at toc_offset (estargz's gzipFooterBytes)."""
    return (b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x1a\x00SG\x16\x00" +
            b"%016xSTARGZ" % toc_offset + b"\x01\x00\x00\xff\xff" + bytes(8))


def relaid(blob, edit):
    """The blob with its TOC's entries edited by edit(entries): the data
    members kept, a new TOC member (a tar of stargz.index.json, gzipped) in
    place of the old, and the footer pointing at it."""
    offset = int(blob[-51 + 16:-51 + 32], 16)
    toc = json.loads(toc_of(blob))
    edit(toc["entries"])
    data = json.dumps(toc, indent="\t").encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("stargz.index.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    assert footer(offset) == blob[-51:]
    return blob[:offset] + gzip.compress(out.getvalue(), mtime=0) + footer(offset)


def entry(entries, name, type_="reg"):
    return next(e for e in entries if e["name"] == name and e["type"] == type_)


def numbered_offsets(toc):
    """Member offsets replaced by their order of appearance."""
    seen = []

    def number(match):
        if match.group(1) not in seen:
            seen.append(match.group(1))
        return '"offset": #%d' % seen.index(match.group(1))
    return re.sub(r'"offset": (\d+)', number, toc)


class EstargzOracleTest(iwtest.ImagewriterTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.verify = build_go(cls.tmp)
        cls.maker = iwtest.build_go_oracle(cls.tmp, os.path.join(HERE, "estargz_maker.go"),
                                           "estargz_maker", extra_gopath=[GOCODE])

    def estargz(self, name, tar_path, extra=()):
        desc, diff, blob = self.layer(name, tar_path, ["--compression", "estargz"] + list(extra))
        return json.loads(iwtest.read(desc)), iwtest.read(diff).decode(), blob

    def test_reference_reader_verifies_a_varied_layer(self):
        tar_path = self.path("corpus.tar")
        make_corpus(tar_path)
        desc, diff_id, blob_path = self.estargz("corpus", tar_path)
        self.assertEqual(desc["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip")
        out = subprocess.run([self.verify, blob_path, desc["annotations"][TOC_DIGEST], tar_path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        # 4 MiB: one chunk; 9 MiB: three; 4 MiB + 1: two; four small files.
        self.assertIn(b"chunks 10\n", out.stdout)
        blob = iwtest.read(blob_path)
        tar = iwtest.read(tar_path)
        plain = gzip.decompress(blob)
        self.assertTrue(plain.startswith(tar))
        self.assertEqual(diff_id, "sha256:" + hashlib.sha256(plain).hexdigest())
        self.assertNotEqual(diff_id, "sha256:" + hashlib.sha256(tar).hexdigest())
        self.assertEqual(desc["annotations"][UNCOMPRESSED_SIZE], str(len(plain)))
        toc = toc_of(blob)
        self.assertEqual(desc["annotations"][TOC_DIGEST], "sha256:" + hashlib.sha256(toc).hexdigest())
        self.assertNotIn(b"innerOffset", toc)
        self.assertNotIn(b".prefetch.landmark", toc)

        go_toc = subprocess.run([self.verify, "toc", tar_path], stdout=subprocess.PIPE,
                                check=True).stdout
        self.assertEqual(numbered_offsets(toc.decode()), numbered_offsets(go_toc.decode()))

    def test_same_bytes_for_any_thread_count_and_a_golden_digest(self):
        tar_path = self.path("corpus.tar")
        make_corpus(tar_path)
        digests = {self.estargz("t%d" % n, tar_path, ["--threads", str(n)])[0]["digest"]
                   for n in (1, 2, 8)}
        self.assertEqual(len(digests), 1, digests)
        desc, _, _ = self.estargz("hello", os.path.join(iwtest.TESTDATA, "layers", "hello.tar"))
        self.assertEqual(desc["digest"], GOLDEN_HELLO)

    def test_level_0_is_buildkits_bytes(self):
        hello = os.path.join(iwtest.TESTDATA, "layers", "hello.tar")
        desc, diff_id, _ = self.estargz("hello0", hello, ["--level", "0"])
        self.assertEqual(desc["digest"], BUILDKIT_LEVEL0_HELLO)
        self.assertEqual(desc["annotations"][TOC_DIGEST], BUILDKIT_LEVEL0_HELLO_TOC)
        self.assertEqual(diff_id, BUILDKIT_LEVEL0_HELLO_DIFF_ID)
        tar_path = self.path("corpus.tar")
        make_corpus(tar_path)
        self.assertEqual(hashlib.sha256(iwtest.read(tar_path)).hexdigest(), CORPUS_SHA256,
                         "Python's tarfile wrote another corpus: remake the golden with "
                         "buildkit_writer.go")
        desc, diff_id, _ = self.estargz("corpus0", tar_path, ["--level", "0", "--threads", "3"])
        self.assertEqual(desc["digest"], BUILDKIT_LEVEL0_CORPUS)
        self.assertEqual(desc["annotations"][TOC_DIGEST], BUILDKIT_LEVEL0_CORPUS_TOC)
        self.assertEqual(diff_id, BUILDKIT_LEVEL0_CORPUS_DIFF_ID)

    def test_an_estargz_input_passes_through(self):
        tar_path = self.path("corpus.tar")
        make_corpus(tar_path, devices=False)
        desc, diff_id, blob = self.estargz("first", tar_path)
        again, again_diff, again_blob = self.estargz("again", blob)
        self.assertEqual(again, desc)
        self.assertEqual(again_diff, diff_id)
        self.assertEqual(iwtest.read(again_blob), iwtest.read(blob))
        # Recompressed, it is its tar again (the old TOC is dropped).
        forced, _, _ = self.estargz("forced", blob, ["--force-recompress"])
        self.assertEqual(forced, desc)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def test_estargz_from_another_writer_passes_through(self):
        # estargz v0.12's writer, as BuildKit calls it (the tar's bytes
        # kept), and its Build (entries re-written, a landmark file, parts
        # compressed apart, no end-of-archive before the TOC).
        tar_path = self.path("corpus.tar")
        make_corpus(tar_path)
        for mode in ("lossless", "build"):
            blob = self.path(mode + ".blob")
            toc_digest = subprocess.run([self.maker, mode, tar_path, blob], stdout=subprocess.PIPE,
                                        check=True).stdout.decode().strip()
            desc, diff_id, out = self.estargz(mode, blob)
            self.assertEqual(iwtest.read(out), iwtest.read(blob), mode)
            self.assertEqual(desc["digest"], "sha256:" + hashlib.sha256(iwtest.read(blob)).hexdigest())
            self.assertEqual(desc["annotations"][TOC_DIGEST], toc_digest)
            plain = gzip.decompress(iwtest.read(blob))
            self.assertEqual(diff_id, "sha256:" + hashlib.sha256(plain).hexdigest())
        self.assertIn(b".no.prefetch.landmark", toc_of(iwtest.read(self.path("build.blob"))))

    def test_a_toc_that_lies_about_the_tar_is_refused(self):
        tar_path = self.path("corpus.tar")
        make_corpus(tar_path)
        _, _, blob_path = self.estargz("valid", tar_path)
        blob = iwtest.read(blob_path)
        # The TOC re-made unchanged passes: the edits below are what fails.
        unchanged = relaid(blob, lambda e: None)
        _, _, same = self.estargz("same", self.write("same.blob", unchanged))
        self.assertEqual(iwtest.read(same), unchanged)

        def renamed(entries):
            entry(entries, "./etc/hello")["name"] = "../../etc/passwd"

        def moved(entries):
            entry(entries, "./etc/hello")["offset"] += 1

        def misdigested(entries):
            entry(entries, "./big/nine", "chunk")["chunkDigest"] = "sha256:" + "0" * 64

        def extra(entries):
            entries.append({"name": "bin/sh", "type": "symlink", "linkName": "/proc/self/exe"})

        def missing(entries):
            entries.remove(entry(entries, "./x.txt"))

        def setuid(entries):
            entry(entries, "./etc/hello")["mode"] = 0o4755

        cases = [
            (renamed, 'name is "../../etc/passwd" in the TOC but "./etc/hello" in the tar'),
            (moved, "offset is "),
            (misdigested, 'chunkDigest is "sha256:' + "0" * 64 + '" in the TOC, but the chunk'),
            (extra, '("bin/sh", type "symlink") is not in the tar'),
            (missing, 'name is "./dev/" in the TOC but "./x.txt" in the tar'),
            (setuid, "mode is 2541 in the TOC but 420 in the tar"),
        ]
        for edit, message in cases:
            name = edit.__name__
            lying = self.write(name + ".blob", relaid(blob, edit))
            out = self.path(name + ".out")
            result = iwtest.run(["layer", "--input", lying, "--output", out,
                                 "--descriptor-out", self.path(name + ".desc"),
                                 "--diff-id-out", self.path(name + ".diff"),
                                 "--compression", "estargz"])
            self.assertNotEqual(result.returncode, 0, name)
            self.assertIn(lying + ": ", result.stderr, name)
            self.assertIn("the eStargz TOC does not describe the tar", result.stderr, name)
            self.assertIn(message, result.stderr, name)
            self.assertFalse(os.path.exists(out), name)
            self.assertFalse(os.path.exists(self.path(name + ".desc")), name)

    def test_docker_media_types_are_refused(self):
        desc, diff, _ = self.layer("hello", os.path.join(iwtest.TESTDATA, "layers", "hello.tar"),
                                   ["--compression", "estargz"])
        req = self.path("req.json")
        iwtest.write_json(req, {"layers": [{"descriptorFile": desc, "diffIdFile": diff}],
                                "mediaTypes": "docker"})
        result = iwtest.run(["image", "--request", req, "--manifest-out", self.path("m"),
                             "--config-out", self.path("c")])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("oci-mediatypes=false", result.stderr)

    def run_tool(self, args):
        env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": self.dir, "TMPDIR": self.dir}
        proc = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(proc.returncode, 0, "%s: %s" % (args, proc.stderr.decode()))
        return proc.stdout

    def test_skopeo_and_umoci_read_the_image(self):
        for tool in ("skopeo", "umoci"):
            self.assertIsNotNone(shutil.which(tool), tool + " is not installed: run tools/setup.sh")
        tar_path = self.path("corpus.tar")
        # Without devices and xattrs, which an unprivileged unpack cannot make.
        make_corpus(tar_path, devices=False, xattrs=False)
        desc, diff, blob = self.layer("corpus", tar_path, ["--compression", "estargz"])
        out = self.image("img", {"layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        manifest = json.loads(iwtest.read(out["manifest"]))
        self.assertIn(TOC_DIGEST, manifest["layers"][0]["annotations"])
        layout = self.path("layout")
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["config"],
                 "--metadata", out["manifest"], "--blob", "%s=%s" % (desc, blob)])
        tagged = self.path("tagged")
        self.run_tool(["skopeo", "copy", "-q", "oci:" + layout, "oci:%s:latest" % tagged])
        self.assertEqual(self.run_tool(["skopeo", "inspect", "--raw", "oci:%s:latest" % tagged]),
                         iwtest.read(out["manifest"]))
        bundle = self.path("bundle")
        self.run_tool(["umoci", "unpack", "--rootless", "--image", tagged + ":latest", bundle])
        rootfs = os.path.join(bundle, "rootfs")
        self.assertEqual(iwtest.read(os.path.join(rootfs, "etc/hello")), b"hello\n")
        self.assertEqual(os.readlink(os.path.join(rootfs, "link")), "etc/hello")
        self.assertEqual(os.path.getsize(os.path.join(rootfs, "big/nine")), 9 << 20)
        # The TOC is data after the tar's end: no file of that name appears.
        self.assertFalse(os.path.exists(os.path.join(rootfs, "stargz.index.json")))


# What buildkit_writer.go (estargz v0.18.2, as BuildKit calls it) writes at
# level 0 for testdata/layers/hello.tar and for make_corpus()'s tar.
BUILDKIT_LEVEL0_HELLO = "sha256:e5da3f5c5c65471669c4671da2b2982c5cd77c8e00093868464f10c56626cc93"
BUILDKIT_LEVEL0_HELLO_TOC = "sha256:e9c5e7026d10dcaad0f8b8498607483b7209e606cac7185a279535d29ddba2f0"
BUILDKIT_LEVEL0_HELLO_DIFF_ID = "sha256:d2388191fb3b0decc642d6315f684faf4f5ca901c8c6c7635269eb804b20852a"
CORPUS_SHA256 = "f3b57fcee4fda71811a38007a6a06e0ad4671265b1d480c3d64d715f6b1bf7e3"
BUILDKIT_LEVEL0_CORPUS = "sha256:1e26edb2010460b118268b80c370ab4779ed85ce7cb23c1c67b29307dca0e777"
BUILDKIT_LEVEL0_CORPUS_TOC = "sha256:cb9373b4dafcd071e2c16ef65f2a23f77c398309288e94393cd16ea3d2850c6f"
BUILDKIT_LEVEL0_CORPUS_DIFF_ID = "sha256:11770f7e037f21fb456d87455a12cccbfc2d594c2a9084b5e2327cd55100dfa4"

# testdata/layers/hello.tar as eStargz at the default level.
GOLDEN_HELLO = "sha256:06da3cb3189deca6fae5d73f8499b26c24fcd853a970fea1250d525b96259954"


if __name__ == "__main__":
    unittest.main()
