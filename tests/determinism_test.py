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

# What glibc provides; anything else the tool loads must come with it.
GLIBC = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
         "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


def shared_libraries(binary):
    """[(name, resolved path or None)] as ldd (glibc's, not ours) reports them."""
    out = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, check=True).stdout.decode()
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts:
            path = parts[2] if parts[2].startswith("/") else None
            libs.append((parts[0], path))
        elif parts and parts[0].startswith("/"):
            libs.append((os.path.basename(parts[0]), parts[0]))  # The loader.
        elif parts:
            libs.append((parts[0], None))  # vdso
    return libs


def copy_into(root, path, at=None):
    """Copies the file `path` (symlinks followed) to root/`at` (default: the same path)."""
    dest = os.path.normpath(root + "/" + (at or path))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copy(os.path.realpath(path), dest)


def empty_root(root):
    """A root holding only the tool, the libraries its runfiles ship and glibc.

    Returns the tool's path inside the root. The tool keeps its place
    relative to the libraries Bazel shipped with it (src/cli/imagewriter
    and _solib_*/), so its $ORIGIN-relative runpath finds them there.
    """
    origin = os.path.dirname(os.path.abspath(iwtest.BINARY))  # ldd's $ORIGIN
    copy_into(root, iwtest.BINARY, "/tool/src/cli/imagewriter")
    for name, path in shared_libraries(iwtest.BINARY):
        if path is None:
            continue
        if name in GLIBC:
            copy_into(root, path)
        else:
            copy_into(root, path, "/tool/src/cli/" + os.path.relpath(os.path.normpath(path), origin))
    return "/tool/src/cli/imagewriter"

LAYERS = os.path.join(iwtest.TESTDATA, "layers")


def pipeline(workdir, env, umask, threads=2, binary=iwtest.BINARY):
    """Builds two layers, two images, an index and a layout in `workdir`."""
    os.makedirs(workdir)
    for name in ("hello.tar", "extra.tar", "hello.tar.zst"):
        shutil.copy(os.path.join(LAYERS, name), os.path.join(workdir, name))
    script = """
set -e
umask {umask}
IW="{binary}"
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
""".format(umask=umask, binary=binary, threads=threads)
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

    def test_links_only_glibc_and_its_own_libcrypto(self):
        libs = dict(shared_libraries(iwtest.BINARY))
        self.assertIn("libcrypto.so.0", libs)
        # BoringSSL's libcrypto is a declared input, shipped in the runfiles.
        self.assertIn("/_solib_", libs.pop("libcrypto.so.0") or "")
        self.assertEqual(set(libs) - GLIBC, set(), "the tool loads libraries from the host")

    def test_same_bytes_in_an_empty_root(self):
        """A root with nothing but the tool, its runfiles and glibc: no
        /usr/lib, no shell, no Debian packages. The outputs must equal a
        normal run's, so nothing the host has leaks into them."""
        pipeline(self.path("host"), {"PATH": "/usr/bin:/bin"}, "022")
        root = self.path("root")
        tool = empty_root(root)
        self.assertEqual(sorted(os.listdir(root)), ["lib", "lib64", "tool"])
        # An empty /proc to mount the kernel's on: glibc's loader finds
        # $ORIGIN through /proc/self/exe, as on any real worker.
        os.mkdir(os.path.join(root, "proc"))
        chrooted = "unshare --mount --pid --fork --mount-proc --root=%s --wd=/work %s" % (root, tool)
        pipeline(os.path.join(root, "work"), {"PATH": "/usr/bin:/bin"}, "022", binary=chrooted)
        a, b = snapshot(self.path("host")), snapshot(os.path.join(root, "work"))
        self.assertEqual(sorted(a), sorted(b))
        for name in sorted(a):
            self.assertEqual(a[name], b[name], "%s differs in the empty root" % name)

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
