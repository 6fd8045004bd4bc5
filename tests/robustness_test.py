"""Resource bounds and atomicity, shown with the real binary.

- A 1 GiB all-zero layer goes through under a 128 MiB address-space limit:
  memory does not grow with the layer.
- 10,000 tiny layers go through `image`.
- A layer command killed while it writes a gzip blob leaves nothing under
  any of its outputs' names.
"""
import errno
import json
import os
import random
import resource
import signal
import subprocess
import tarfile
import time
import unittest

from tests import iwtest


class RobustnessTest(iwtest.ImagewriterTestCase):
    def test_one_gib_layer_under_a_low_ulimit(self):
        zeros = self.path("zeros.bin")
        with open(zeros, "wb") as f:
            f.truncate(1 << 30)
        spec = self.path("files.json")
        iwtest.write_json(spec, {"entries": [{"path": "zeros.bin", "file": zeros}]})

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (128 << 20, 128 << 20))

        proc = subprocess.run([iwtest.BINARY, "layer", "--files", spec, "--output", self.path("blob"),
                               "--threads", "2", "--level", "1", "--diff-id-out", self.path("diff")],
                              preexec_fn=limit, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={"MALLOC_ARENA_MAX": "2"})
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertLess(os.path.getsize(self.path("blob")), 8 << 20)

    def test_ten_thousand_layers(self):
        layers = []
        for i in range(10000):
            desc = self.path("l%d.json" % i)
            with open(desc, "w") as f:
                json.dump({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                           "digest": "sha256:%064x" % i, "size": 32}, f)
            diff = self.path("l%d.diff" % i)
            with open(diff, "w") as f:
                f.write("sha256:%064x" % (i + 1))
            layers.append({"descriptorFile": desc, "diffIdFile": diff})
        out = self.image("many", {"layers": layers})
        manifest = json.loads(iwtest.read(out["manifest"]))
        config = json.loads(iwtest.read(out["config"]))
        self.assertEqual(len(manifest["layers"]), 10000)
        self.assertEqual(len(config["rootfs"]["diff_ids"]), 10000)
        self.assertEqual(len(config["history"]), 10000)

    def test_killed_mid_write_leaves_no_output(self):
        # The gzip (recompressing) path, killed while its blob grows: a tar
        # whose one entry claims 64 MiB arrives through a FIFO, incompressible
        # bytes first, then the writer stalls.
        fifo = self.path("input.fifo")
        os.mkfifo(fifo)
        finals = [self.path(n) for n in ("blob", "desc.json", "diffid")]
        proc = subprocess.Popen([iwtest.BINARY, "layer", "--input", fifo, "--output", finals[0],
                                 "--descriptor-out", finals[1], "--diff-id-out", finals[2],
                                 "--compression", "gzip", "--threads", "1"],
                                stderr=subprocess.PIPE)
        header = tarfile.TarInfo("big.bin")
        header.size = 64 << 20
        with self.open_fifo_for_writing(fifo, proc) as writer:
            writer.write(header.tobuf(format=tarfile.USTAR_FORMAT))
            writer.write(random.Random(0).randbytes(8 << 20))
            writer.flush()
            # Mid-write: the blob's temporary holds compressed blocks.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not self.temporary_bytes("blob"):
                time.sleep(0.05)
            self.assertGreater(self.temporary_bytes("blob"), 0, "the blob was never being written")
            self.assertIsNone(proc.poll(), "the command ended before it was killed")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        for final in finals:
            self.assertFalse(os.path.exists(final), "a partial output was left under " + final)
        # Only the temporary (which a later run never mistakes for output) remains.
        leftovers = [n for n in os.listdir(self.dir) if n != "input.fifo"]
        self.assertTrue(all(".tmp-" in n for n in leftovers), leftovers)

    def open_fifo_for_writing(self, fifo, proc):
        """Opens `fifo` once `proc` has it open for reading; never blocks on
        a command that failed before opening it."""
        deadline = time.monotonic() + 30
        while True:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as e:
                if e.errno != errno.ENXIO or proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    self.fail("the command did not open its input: %s" % proc.communicate()[1].decode())
                time.sleep(0.05)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "wb")

    def temporary_bytes(self, name):
        """Bytes in the temporaries of output `name` so far."""
        return sum(os.path.getsize(self.path(n)) for n in os.listdir(self.dir)
                   if n.startswith(name + ".tmp-"))

if __name__ == "__main__":
    unittest.main()
