"""Determinism: the same inputs give the same bytes, whatever the host.

Runs the whole pipeline (layer, image, index, layout, archives) twice: once
plainly with one encoder thread, once from another working directory with
another TZ, locale, umask and eight threads, and compares every output byte
and file mode.
"""
import os
import shutil
import stat
import subprocess
import unittest

from tests import iwtest

LAYERS = os.path.join(iwtest.TESTDATA, "layers")


def pipeline(workdir, env, umask, threads=2):
    """Builds two layers, two images, an index and a layout in `workdir`."""
    os.makedirs(workdir)
    for name in ("hello.tar", "extra.tar", "hello.tar.zst"):
        shutil.copy(os.path.join(LAYERS, name), os.path.join(workdir, name))
    script = """
set -e
umask {umask}
IW={binary}
$IW layer --input hello.tar --output hello.blob --descriptor-out hello.desc --diff-id-out hello.diff --threads {threads}
$IW layer --input extra.tar --output extra.blob --descriptor-out extra.desc --diff-id-out extra.diff --compression zstd --level 9 --threads {threads}
$IW layer --input hello.tar.zst --output hz.blob --descriptor-out hz.desc --diff-id-out hz.diff --threads {threads}
for p in amd64 arm64; do
  cat > $p.req <<REQ
{{"platform": "linux/$p", "layers": [{{"descriptorFile": "hello.desc", "diffIdFile": "hello.diff"}},
 {{"descriptorFile": "extra.desc", "diffIdFile": "extra.diff"}}], "env": ["A=\\$PATH:x"],
 "labels": {{"z": "1", "a": "2"}}}}
REQ
  $IW image --request $p.req --config-out $p.config --manifest-out $p.manifest \
    --descriptor-out $p.mdesc --digest-out $p.digest
done
echo '{{"manifests": ["amd64.mdesc", "arm64.mdesc"]}}' > index.req
$IW index --request index.req --index-out index.json --descriptor-out index.desc
$IW layout --out layout --root index.desc --metadata index.json --metadata amd64.manifest \
  --metadata arm64.manifest --metadata amd64.config --metadata arm64.config \
  --blob hello.desc=hello.blob --blob extra.desc=extra.blob
$IW archive --layout layout --output oci.tar --format oci --tag example/app:1
$IW archive --layout layout --output docker.tar --platform linux/arm64 --tag example/app:1
""".format(umask=umask, binary=iwtest.BINARY, threads=threads)
    subprocess.run(["bash", "-c", script], cwd=workdir, env=env, check=True)


INPUTS = ("hello.tar", "extra.tar", "hello.tar.zst", "amd64.req", "arm64.req", "index.req")


def snapshot(root):
    """{relative path: (mode, bytes)} of every output under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.relpath(path, root) in INPUTS:
                continue
            st = os.lstat(path)
            data = iwtest.read(path) if stat.S_ISREG(st.st_mode) else b""
            out[os.path.relpath(path, root)] = (stat.S_IMODE(st.st_mode), data)
    return out


class DeterminismTest(iwtest.ImagewriterTestCase):
    def test_same_bytes_across_cwd_tz_locale_umask_threads(self):
        base_env = {"PATH": "/usr/bin:/bin"}
        pipeline(self.path("a"), dict(base_env, TZ="UTC", LC_ALL="C"), "022", threads=1)
        pipeline(self.path("deeper", "b"),
                 dict(base_env, TZ="Pacific/Chatham", LC_ALL="C.UTF-8", LANG="de_DE.UTF-8"), "077", threads=8)
        a, b = snapshot(self.path("a")), snapshot(self.path("deeper", "b"))
        self.assertEqual(sorted(a), sorted(b))
        for name in sorted(a):
            self.assertEqual(a[name], b[name], "%s differs between runs" % name)
        # Outputs have fixed modes whatever the umask.
        self.assertEqual(b["amd64.config"][0], 0o644)
        self.assertEqual(b["layout"][0], 0o755)

    def test_source_date_epoch_from_environment(self):
        pipeline(self.path("epoch"), {"PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1700000000"}, "022")
        config = iwtest.read(self.path("epoch", "amd64.config"))
        self.assertIn(b'"created":"2023-11-14T22:13:20Z"', config)
        self.assertNotIn(b"1970", config)

    def test_layout_links_layer_blobs(self):
        pipeline(self.path("links"), {"PATH": "/usr/bin:/bin"}, "022")
        digest = iwtest.read(self.path("links", "hello.desc")).split(b'"sha256:')[1][:64].decode()
        linked = os.stat(self.path("links", "layout", "blobs", "sha256", digest))
        original = os.stat(self.path("links", "hello.blob"))
        self.assertEqual(linked.st_ino, original.st_ino, "layer blob was copied, not linked")


if __name__ == "__main__":
    unittest.main()
