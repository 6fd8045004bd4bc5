"""Hostile and unusual inputs: bounded in time and memory, refused clearly, or
accepted where other tools accept them.

- A zstd stream of RLE blocks (the format's highest ratio, 32768:1) stops
  at --max-size, quickly, from a file or a pipe; so does an endless pipe.
- /dev/zero, directories and FIFOs are refused where they cannot work
  (`layer --input`, `verify`, `base --source`) without blocking.
- Passthrough from a pipe (`--input /dev/stdin`) streams the bytes into the
  blob: the blob is the input, byte for byte, with the right digests.
- A leading zstd skippable frame (RFC 8878 section 3.1.2) is zstd.
- Output names of NAME_MAX (255) bytes work.
- gzip inside gzip is reported as compressed twice.

Failures are one error line naming the input, and leave no output (nor a
temporary) in the output directory.
"""
import gzip
import hashlib
import io
import json
import os
import random
import struct
import subprocess
import tarfile
import threading
import time
import unittest

from tests import iwtest

LAYERS = os.path.join(iwtest.TESTDATA, "layers")
HELLO_TAR = os.path.join(LAYERS, "hello.tar")
HELLO_ZST = os.path.join(LAYERS, "hello.tar.zst")


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def zstd_rle_frame(blocks, byte=0):
    """One zstd frame of `blocks` RLE blocks, 4 bytes each for 128 KiB."""
    frame = bytearray(b"\x28\xb5\x2f\xfd\x00" + bytes([(17 - 10) << 3]))  # 128 KiB window.
    for i in range(blocks):
        header = (128 << 10) << 3 | 1 << 1 | (1 if i + 1 == blocks else 0)
        frame += struct.pack("<I", header)[:3] + bytes([byte])
    return bytes(frame)


def skippable_frame(payload, nibble=3):
    return struct.pack("<II", 0x184D2A50 | nibble, len(payload)) + payload


class HostileInputsTest(iwtest.ImagewriterTestCase):
    def setUp(self):
        super().setUp()
        self.out = self.path("out")
        os.mkdir(self.out)

    def outputs(self, name="blob"):
        return ["--output", os.path.join(self.out, name),
                "--descriptor-out", os.path.join(self.out, "desc.json"),
                "--diff-id-out", os.path.join(self.out, "diffid")]

    def run_tool(self, args, stdin=None, timeout=60):
        start = time.monotonic()
        proc = subprocess.run([iwtest.BINARY] + args, stdin=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, cwd=self.dir)
        return proc, time.monotonic() - start

    def assert_refused(self, proc, *expected):
        self.assertNotEqual(proc.returncode, 0)
        lines = proc.stderr.decode().strip().split("\n")
        self.assertEqual(len(lines), 1, "expected one error line, got: %r" % proc.stderr)
        self.assertIn(": error: ", lines[0])
        for text in expected:
            self.assertIn(text, lines[0])
        self.assertEqual(os.listdir(self.out), [], "outputs left behind after a failure")

    # Item: bounded time and memory.
    def write_layout(self, layer_blob, media_type="application/vnd.oci.image.layer.v1.tar+zstd"):
        """An OCI layout with one layer, for verify."""
        layout = self.path("layout")
        blobs = os.path.join(layout, "blobs", "sha256")
        os.makedirs(blobs)

        def put(data):
            with open(os.path.join(blobs, hashlib.sha256(data).hexdigest()), "wb") as f:
                f.write(data)
            return {"digest": sha256(data), "size": len(data)}

        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": [sha256(b"x")]}}).encode()
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": dict(put(config), mediaType="application/vnd.oci.image.config.v1+json"),
                               "layers": [dict(put(layer_blob), mediaType=media_type)]}).encode()
        index = {"schemaVersion": 2, "manifests": [
            dict(put(manifest), mediaType="application/vnd.oci.image.manifest.v1+json")]}
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump(index, f)
        with open(os.path.join(layout, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion": "1.0.0"}')
        return layout

    def test_verify_bounds_a_zstd_rle_bomb_layer(self):
        # 256 KiB that decode to 8 GiB: at 32768:1 no ratio limit fires, so
        # the byte limit must, in verify as in layer.
        layout = self.write_layout(zstd_rle_frame(64 << 10))
        proc, took = self.run_tool(["verify", "--max-size", str(64 << 20), layout], timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("decompression guard: the uncompressed tar exceeds 67108864 bytes (limit: --max-size)",
                      proc.stderr.decode())
        self.assertLess(took, 30)


    def test_zstd_rle_bomb_stops_at_max_size(self):
        bomb = self.path("bomb.tar.zst")
        with open(bomb, "wb") as f:
            f.write(zstd_rle_frame(64 << 10))  # 256 KiB that decode to 8 GiB of zeros.
        for compression in ("gzip", "zstd", "none"):
            proc, seconds = self.run_tool(["layer", "--input", bomb, "--compression", compression,
                                           "--max-size", str(64 << 20)] + self.outputs())
            self.assert_refused(proc, bomb, "the uncompressed tar exceeds 67108864 bytes")
            self.assertLess(seconds, 30, compression)

    def test_zstd_rle_bomb_from_a_pipe_stops_at_max_size(self):
        with open(self.path("bomb.tar.zst"), "wb") as f:
            f.write(zstd_rle_frame(64 << 10))
        with open(self.path("bomb.tar.zst"), "rb") as f:
            cat = subprocess.Popen(["cat"], stdin=f, stdout=subprocess.PIPE)
            proc, seconds = self.run_tool(["layer", "--input", "/dev/stdin", "--max-size",
                                           str(64 << 20)] + self.outputs(), stdin=cat.stdout)
            cat.stdout.close()
            cat.wait()
        self.assert_refused(proc, "/dev/stdin", "the uncompressed tar exceeds 67108864 bytes")
        self.assertLess(seconds, 30)

    def test_endless_pipe_stops_at_max_size(self):
        zeros = subprocess.Popen(["cat", "/dev/zero"], stdout=subprocess.PIPE)
        try:
            proc, seconds = self.run_tool(["layer", "--input", "/dev/stdin", "--max-size",
                                           str(64 << 20)] + self.outputs(), stdin=zeros.stdout)
        finally:
            zeros.stdout.close()
            zeros.kill()
            zeros.wait()
        self.assert_refused(proc, "/dev/stdin", "the uncompressed tar exceeds 67108864 bytes")
        self.assertLess(seconds, 30)

    def test_devices_and_directories_are_refused_as_layer_input(self):
        for path, kind in (("/dev/zero", "is a character device"),
                           (self.out, "is a directory")):
            proc, seconds = self.run_tool(["layer", "--input", path] + self.outputs(), timeout=20)
            self.assert_refused(proc, path, kind, "expected a regular file or a pipe")
            self.assertLess(seconds, 10)

    def test_verify_and_base_refuse_what_cannot_be_read_by_offset(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)  # No writer: opening it would block.
        base_outputs = ["--config-out", os.path.join(self.out, "c"),
                        "--manifest-out", os.path.join(self.out, "m"),
                        "--descriptor-out", os.path.join(self.out, "d")]
        for path, kind in (("/dev/zero", "is a character device"),
                           (fifo, "is a FIFO (named pipe)")):
            for args in (["verify", path], ["base", "--source", path] + base_outputs):
                proc, seconds = self.run_tool(args, timeout=20)
                self.assert_refused(proc, path, kind, "expected a regular file or a directory")
                self.assertLess(seconds, 10)

    # Item: passthrough from a pipe.

    def pipe_in(self, data, args, split=None):
        """Runs `layer --input /dev/stdin`, writing `data` into a pipe; the
        first `split` bytes come alone, a moment before the rest."""
        proc = subprocess.Popen([iwtest.BINARY, "layer", "--input", "/dev/stdin"] + args,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.dir)

        def feed():
            try:
                if split:
                    proc.stdin.write(data[:split])
                    proc.stdin.flush()
                    time.sleep(0.3)
                proc.stdin.write(data[split or 0:])
                proc.stdin.close()
            except BrokenPipeError:
                pass  # The command failed early; its status says why.

        writer = threading.Thread(target=feed)
        writer.start()
        stderr = proc.stderr.read()
        proc.wait(timeout=60)
        writer.join()
        self.assertEqual(proc.returncode, 0, stderr.decode())

    def check_passthrough(self, data, compression, tar, split=None):
        self.pipe_in(data, ["--compression", compression] + self.outputs(), split)
        blob = iwtest.read(os.path.join(self.out, "blob"))
        self.assertEqual(blob, data, "the blob is not the piped input")
        desc = json.loads(iwtest.read(os.path.join(self.out, "desc.json")))
        self.assertEqual(desc["digest"], sha256(data))
        self.assertEqual(desc["size"], len(data))
        self.assertEqual(iwtest.read(os.path.join(self.out, "diffid")).decode(), sha256(tar))
        self.assertEqual(sorted(os.listdir(self.out)), ["blob", "desc.json", "diffid"])

    def test_gzip_passthrough_from_a_pipe(self):
        tar = iwtest.read(HELLO_TAR)
        self.check_passthrough(gzip.compress(tar, mtime=0), "gzip", tar, split=1)

    def test_large_gzip_passthrough_from_a_pipe(self):
        # 4 MiB of incompressible data: the copy takes many pipe reads.
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            data = random.Random(0).randbytes(4 << 20)
            info = tarfile.TarInfo("data.bin")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        self.check_passthrough(gzip.compress(buffer.getvalue(), mtime=0), "gzip", buffer.getvalue())

    def test_zstd_and_plain_passthrough_from_a_pipe(self):
        tar = iwtest.read(HELLO_TAR)
        # zstd needs 4 bytes to be recognised; the pipe gives 2 at first.
        self.check_passthrough(iwtest.read(HELLO_ZST), "zstd", tar, split=2)
        for name in os.listdir(self.out):
            os.unlink(os.path.join(self.out, name))
        self.check_passthrough(tar, "none", tar, split=3)

    # Item: valid inputs that other tools accept.

    def test_leading_skippable_zstd_frame(self):
        tar = iwtest.read(HELLO_TAR)
        data = skippable_frame(b"built by a tool that annotates its frames") + iwtest.read(HELLO_ZST)
        src = self.path("skippable.tar.zst")
        with open(src, "wb") as f:
            f.write(data)
        self.ok(["layer", "--input", src, "--compression", "zstd"] + self.outputs())
        self.assertEqual(iwtest.read(os.path.join(self.out, "blob")), data, "passthrough changed the bytes")
        self.assertEqual(iwtest.read(os.path.join(self.out, "diffid")).decode(), sha256(tar))
        desc = json.loads(iwtest.read(os.path.join(self.out, "desc.json")))
        self.assertEqual(desc["digest"], sha256(data))
        self.ok(["layer", "--input", src, "--compression", "gzip"] + self.outputs("blob.gz"))
        self.assertEqual(iwtest.read(os.path.join(self.out, "diffid")).decode(), sha256(tar))

    def test_output_names_of_name_max_bytes(self):
        blob, desc, diff = ("%s%s" % (c, c * 254) for c in "bdi")
        self.ok(["layer", "--input", HELLO_TAR, "--output", os.path.join(self.out, blob),
                 "--descriptor-out", os.path.join(self.out, desc),
                 "--diff-id-out", os.path.join(self.out, diff)])
        self.assertEqual(sorted(os.listdir(self.out)), sorted([blob, desc, diff]))
        self.assertEqual(iwtest.read(os.path.join(self.out, diff)).decode(),
                         sha256(iwtest.read(HELLO_TAR)))

    def test_layout_directory_of_name_max_bytes(self):
        desc, diff, blob = self.layer("hello", HELLO_TAR)
        out = self.image("img", {"layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        layout = os.path.join(self.out, "l" * 255)
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["manifest"],
                 "--metadata", out["config"], "--blob", "%s=%s" % (desc, blob)])
        self.assertEqual(os.listdir(self.out), ["l" * 255])
        self.assertIn("index.json", os.listdir(layout))

    def test_compressed_twice_is_named(self):
        tar = iwtest.read(HELLO_TAR)
        cases = (("twice.tar.gz.gz", gzip.compress(gzip.compress(tar)), "the gzip stream contains gzip data"),
                 ("zst.gz", gzip.compress(iwtest.read(HELLO_ZST)), "the gzip stream contains zstd data"))
        for name, data, expected in cases:
            src = self.path(name)
            with open(src, "wb") as f:
                f.write(data)
            proc, _ = self.run_tool(["layer", "--input", src] + self.outputs())
            self.assert_refused(proc, src, expected, "compressed twice")


if __name__ == "__main__":
    unittest.main()
