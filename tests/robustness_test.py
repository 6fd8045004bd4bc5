"""Resource bounds and atomicity, shown with the real binary.

- A 1 GiB all-zero layer goes through under a 128 MiB address-space limit:
  memory does not grow with the layer.
- 10,000 tiny layers go through `image`.
- A layer command killed mid-write leaves nothing under the output's name.
"""
import json
import os
import resource
import signal
import subprocess
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
        fifo = self.path("input.fifo")
        os.mkfifo(fifo)
        blob = self.path("blob")
        proc = subprocess.Popen([iwtest.BINARY, "layer", "--input", fifo, "--output", blob,
                                 "--compression", "none"], stderr=subprocess.PIPE)
        with open(fifo, "wb") as writer:
            header = iwtest.read(os.path.join(iwtest.TESTDATA, "layers/hello.tar"))
            writer.write(header[:4096])
            writer.flush()
            time.sleep(0.5)  # The command is now mid-stream, blocked on the pipe.
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        self.assertFalse(os.path.exists(blob), "a partial blob was left under the final name")
        # Only the temporary (which a later run never mistakes for output) remains.
        leftovers = [n for n in os.listdir(self.dir) if n.startswith("blob")]
        self.assertTrue(all(".tmp-" in n for n in leftovers), leftovers)


if __name__ == "__main__":
    unittest.main()
