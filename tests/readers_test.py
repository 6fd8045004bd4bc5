"""What imagewriter writes, read by readers we did not write.

Every property is asserted against a value written down here, never
against another run of the tool:

- GNU tar and Python's tarfile read the tar writer's output (a `--files`
  layer): names, types, modes, owners, times, link targets, contents.
- The oci-archive and docker-archive have the entries, modes, owners and
  times docs/design.md promises, as tarfile and GNU tar read them.
- A multi-threaded gzip layer of many 1 MiB blocks is one gzip member, as
  zlib and `gzip -t` see it, and decompresses to the input.
- `--rewrite-timestamp` clamps PAX atime, ctime and mtime above the epoch
  and leaves the ones below it, as tarfile reads them.
"""
import gzip
import hashlib
import io
import json
import os
import random
import subprocess
import tarfile
import unittest
import zlib

from tests import iwtest

FILES = os.path.join(iwtest.TESTDATA, "files", "app")
MTIME = 1700000000
LONG = "app/" + "long-directory-name/" * 8 + "config.txt"  # 168 bytes: PAX or prefix


def gnu_tar(*args):
    proc = subprocess.run(["tar"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={"PATH": "/usr/bin:/bin", "TZ": "UTC", "LC_ALL": "C"})
    if proc.returncode != 0:
        raise AssertionError("GNU tar %s failed: %s" % (args, proc.stderr.decode()))
    return proc.stdout.decode()


def gzip_members(data):
    """The number of gzip members in `data`, counted with zlib."""
    members = 0
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        d.decompress(data)
        if not d.eof:
            raise AssertionError("gzip member %d is truncated" % (members + 1))
        members += 1
        data = d.unused_data
    return members


class ReadersTest(iwtest.ImagewriterTestCase):
    def files_layer(self):
        """An uncompressed layer of every kind of entry; returns the tar's path."""
        entries = [
            {"path": "/app/bin/hello.sh", "file": os.path.join(FILES, "hello.sh"), "executable": True},
            {"path": "app/etc/config.txt", "file": os.path.join(FILES, "config.txt")},
            {"path": "app/etc/secret.txt", "file": os.path.join(FILES, "config.txt"), "mode": "0600"},
            {"path": LONG, "file": os.path.join(FILES, "config.txt")},
            {"path": "app/current", "symlink": "bin/hello.sh"},
            {"path": "var/cache", "directory": True},
        ]
        spec = self.path("files.json")
        iwtest.write_json(spec, {"entries": entries, "owner": "65532:65533", "mtime": MTIME,
                                 "hardlinks": True})
        blob = self.path("layer.tar")
        self.ok(["layer", "--files", spec, "--output", blob, "--compression", "none",
                 "--diff-id-out", self.path("diffid")])
        return blob

    def test_tarfile_reads_the_tar_writer(self):
        blob = self.files_layer()
        with tarfile.open(blob) as tar:
            members = {m.name: m for m in tar.getmembers()}
            got = {name: (m.type, m.mode, m.uid, m.gid, m.uname, m.gname, m.mtime, m.linkname)
                   for name, m in members.items()}
            config = iwtest.read(os.path.join(FILES, "config.txt"))
            self.assertEqual(tar.extractfile(LONG).read(), config)
            self.assertEqual(tar.extractfile("app/bin/hello.sh").read(),
                             iwtest.read(os.path.join(FILES, "hello.sh")))
        owner = (65532, 65533, "", "", MTIME)
        directory = (tarfile.DIRTYPE, 0o755) + owner + ("",)
        # Same source, same mode: one copy, then hard links to it.
        first_copy = min(n for n in got if n.endswith("config.txt"))
        want = {
            "app": directory, "app/bin": directory, "app/etc": directory, "var": directory,
            "var/cache": directory,
            "app/bin/hello.sh": (tarfile.REGTYPE, 0o755) + owner + ("",),
            "app/current": (tarfile.SYMTYPE, 0o777) + owner + ("bin/hello.sh",),
            "app/etc/secret.txt": (tarfile.REGTYPE, 0o600) + owner + ("",),
            first_copy: (tarfile.REGTYPE, 0o644) + owner + ("",),
        }
        for i in range(1, 9):
            want["app/" + "long-directory-name/" * i] = directory
        want = {k.rstrip("/"): v for k, v in want.items()}
        for name in ("app/etc/config.txt", LONG):
            if name != first_copy:
                want[name] = (tarfile.LNKTYPE, 0o644) + owner + (first_copy,)
        self.assertEqual(got, want)

    def test_gnu_tar_reads_the_tar_writer(self):
        blob = self.files_layer()
        listing = gnu_tar("--numeric-owner", "--full-time", "-tvf", blob).splitlines()
        # "drwxr-xr-x 65532/65533 0 2023-11-14 22:13:20 app/" and so on.
        rows = {}
        for line in listing:
            fields = line.split(None, 5)
            rows[fields[5]] = (fields[0], fields[1], fields[3] + " " + fields[4])
        when = "2023-11-14 22:13:20"
        self.assertEqual(rows["app/"], ("drwxr-xr-x", "65532/65533", when))
        self.assertEqual(rows["var/cache/"], ("drwxr-xr-x", "65532/65533", when))
        self.assertEqual(rows["app/bin/hello.sh"], ("-rwxr-xr-x", "65532/65533", when))
        self.assertEqual(rows["app/etc/config.txt"], ("-rw-r--r--", "65532/65533", when))
        self.assertEqual(rows["app/etc/secret.txt"], ("-rw-------", "65532/65533", when))
        self.assertEqual(rows["app/current -> bin/hello.sh"], ("lrwxrwxrwx", "65532/65533", when))
        self.assertIn(LONG + " link to app/etc/config.txt", rows)
        self.assertEqual(len(rows), 18, sorted(rows))  # 13 directories, 5 others
        # GNU tar extracts it, contents and link included.
        out = self.path("x")
        os.mkdir(out)
        gnu_tar("-xf", blob, "-C", out)
        self.assertEqual(iwtest.read(os.path.join(out, LONG)),
                         iwtest.read(os.path.join(FILES, "config.txt")))
        self.assertEqual(os.readlink(os.path.join(out, "app/current")), "bin/hello.sh")
        self.assertEqual(os.stat(os.path.join(out, LONG)).st_ino,
                         os.stat(os.path.join(out, "app/etc/config.txt")).st_ino)

    def test_many_block_gzip_layer_is_one_member(self):
        # 5.5 MiB: six 1 MiB blocks compressed on four threads and spliced.
        rng = random.Random(13)
        data = b"".join(rng.choice([b"imagewriter ", b"gzip ", b"block ", bytes([rng.getrandbits(8)])])
                        for _ in range(1 << 20))
        data = (data * 6)[:(11 << 19)]
        tar_path = self.path("in.tar")
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo("data.bin")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        desc, diff, blob = self.layer("big", tar_path, ["--compression", "gzip", "--threads", "4"])
        compressed = iwtest.read(blob)
        self.assertEqual(gzip_members(compressed), 1)
        subprocess.run(["gzip", "-t", blob], check=True)
        self.assertEqual(gzip.decompress(compressed), iwtest.read(tar_path))
        self.assertEqual(iwtest.read(diff).decode(),
                         "sha256:" + hashlib.sha256(iwtest.read(tar_path)).hexdigest())
        self.assertEqual(json.loads(iwtest.read(desc))["digest"],
                         "sha256:" + hashlib.sha256(compressed).hexdigest())
        # The counter itself: two members are counted as two.
        self.assertEqual(gzip_members(gzip.compress(b"a") + gzip.compress(b"b")), 2)

    def test_rewrite_timestamp_clamps_pax_times_above_the_epoch(self):
        tar_path = self.path("times.tar")
        epoch = 1700000000
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            for name, times in [("future", (2000000000, 1900000000, 1800000000)),
                                ("past", (1600000000, 1500000000, 1400000000))]:
                info = tarfile.TarInfo(name)
                info.mtime = times[0]
                info.pax_headers = {"atime": str(times[1]), "ctime": str(times[2])}
                tar.addfile(info, io.BytesIO(b""))
        _, _, blob = self.layer("clamped", tar_path, ["--compression", "none",
                                                      "--rewrite-timestamp", str(epoch)])
        with tarfile.open(blob) as tar:
            got = {m.name: (m.mtime, float(m.pax_headers["atime"]), float(m.pax_headers["ctime"]))
                   for m in tar.getmembers()}
        self.assertEqual(got, {"future": (epoch, epoch, epoch),
                               "past": (1600000000, 1500000000, 1400000000)})

    def layout(self):
        """A layout of one image with the hello layer; returns (layout, layer digest)."""
        desc, diff, blob = self.layer("hello", os.path.join(iwtest.TESTDATA, "layers/hello.tar"))
        out = self.image("img", {"layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        layout = self.path("layout")
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["config"],
                 "--metadata", out["manifest"], "--blob", "%s=%s" % (desc, blob)])
        return layout, json.loads(iwtest.read(desc))["digest"].split(":")[1]

    def check_archive_entries(self, archive, want_files):
        """Every entry: a directory 0755 or a file 0644, root-owned, mtime 0."""
        with tarfile.open(archive) as tar:
            got = {m.name: (m.type, m.mode, m.uid, m.gid, m.uname, m.gname, m.mtime)
                   for m in tar.getmembers()}
        dirs = {n.rstrip("/") for n in got if got[n][0] == tarfile.DIRTYPE}
        self.assertEqual({n: v for n, v in got.items() if n.rstrip("/") in dirs},
                         {n: (tarfile.DIRTYPE, 0o755, 0, 0, "", "", 0) for n in dirs})
        files = {n: v for n, v in got.items() if n.rstrip("/") not in dirs}
        self.assertEqual(files, {n: (tarfile.REGTYPE, 0o644, 0, 0, "", "", 0) for n in want_files})
        # GNU tar agrees on owner and time.
        for line in gnu_tar("--numeric-owner", "--full-time", "-tvf", archive).splitlines():
            self.assertEqual(line.split()[1], "0/0", line)
            self.assertEqual(line.split()[3:5], ["1970-01-01", "00:00:00"], line)

    def test_oci_archive_entries(self):
        layout, layer = self.layout()
        archive = self.path("oci.tar")
        self.ok(["archive", "--layout", layout, "--output", archive, "--format", "oci",
                 "--tag", "example/app:1"])
        blobs = sorted("blobs/sha256/" + n for n in os.listdir(os.path.join(layout, "blobs", "sha256")))
        self.assertIn("blobs/sha256/" + layer, blobs)
        self.check_archive_entries(archive, ["oci-layout", "index.json"] + blobs)
        with tarfile.open(archive) as tar:
            self.assertEqual(tar.getnames()[:3], ["blobs", "blobs/sha256", blobs[0]])

    def test_docker_archive_entries(self):
        layout, layer = self.layout()
        archive = self.path("docker.tar")
        self.ok(["archive", "--layout", layout, "--output", archive, "--tag", "example/app:1"])
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            files = [m.name for m in tar.getmembers() if not m.isdir()]
        self.assertEqual(manifest[0]["RepoTags"], ["example/app:1"])
        self.assertEqual(manifest[0]["Layers"], ["blobs/sha256/" + layer])
        self.assertIn("blobs/sha256/" + layer, files)
        self.assertIn("manifest.json", files)
        self.check_archive_entries(archive, files)


if __name__ == "__main__":
    unittest.main()
