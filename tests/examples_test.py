"""The examples, checked as users would check them.

- Their configs and manifests match goldens in testdata/golden/examples/.
  The hello layer holds a binary compiled on this machine, so its digest,
  size and diffID are checked against the layer's own outputs and then
  replaced by placeholders before comparison, as are the config and base
  digests that follow from it; every other byte is exact.
- skopeo inspects every layout and agrees on the digest.
- umoci unpacks the configured image and runc runs it: the program prints
  what its Entrypoint, Cmd, Env and WorkingDir say it should.
"""
import json
import os
import shutil
import subprocess
import tarfile
import unittest

from tests import iwtest

FILES = json.load(open("tests/example_files.json"))
GOLDEN = os.path.join(iwtest.TESTDATA, "golden", "examples")
UPDATE = os.environ.get("IW_UPDATE_GOLDENS") == "1"
SOURCE_GOLDEN = os.path.join(os.environ.get("BUILD_WORKSPACE_DIRECTORY", ""), "testdata", "golden", "examples")


def tool_env(home):
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home, "TMPDIR": home}


class ExamplesTest(iwtest.ImagewriterTestCase):
    def run_tool(self, args, **kwargs):
        self.assertIsNotNone(shutil.which(args[0]), "%s is not installed: run tools/setup.sh" % args[0])
        proc = subprocess.run(args, env=tool_env(self.dir), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, **kwargs)
        self.assertEqual(proc.returncode, 0, "%s failed: %s" % (args, proc.stderr.decode()))
        return proc.stdout

    def normalized(self, entry, path):
        data = iwtest.read(path)
        for i, layer in enumerate(entry["layers"]):
            desc = json.loads(iwtest.read(layer["descriptor"]))
            diff_id = iwtest.read(layer["diff_id"]).decode()
            self.assertIn(desc["digest"].encode() + b'",\n      "size": %d' % desc["size"], data) \
                if path.endswith("manifest.json") else self.assertIn(diff_id.encode(), data)
            data = data.replace(desc["digest"].encode(), b"<layer%d digest>" % i)
            data = data.replace(b'"size": %d' % desc["size"], b'"size": <layer%d size>' % i)
            data = data.replace(diff_id.encode(), b"<layer%d diff_id>" % i)
        return data

    def test_goldens(self):
        for label, entry in sorted(FILES.items()):
            if "config" not in entry:
                continue
            name = label.split("//examples/")[1].replace(":", "_").replace("/", "_")
            config = self.normalized(entry, entry["config"])
            manifest = self.normalized(entry, entry["manifest"])
            # The config's digest changes with the layer; normalise it too.
            parsed = json.loads(iwtest.read(entry["manifest"]))
            manifest = manifest.replace(parsed["config"]["digest"].encode(), b"<config digest>")
            # A base built here has a compiler-dependent digest too.
            base = parsed.get("annotations", {}).get("org.opencontainers.image.base.digest")
            if base:
                manifest = manifest.replace(base.encode(), b"<base digest>")
            for suffix, data in (("config.json", config), ("manifest.json", manifest)):
                golden = os.path.join(GOLDEN, "%s.%s" % (name, suffix))
                if UPDATE:
                    os.makedirs(SOURCE_GOLDEN, exist_ok=True)
                    with open(os.path.join(SOURCE_GOLDEN, os.path.basename(golden)), "wb") as f:
                        f.write(data)
                    continue
                self.assertTrue(os.path.exists(golden), "missing golden " + golden)
                self.assertEqual(data, iwtest.read(golden), "%s %s differs from its golden" % (label, suffix))

    def test_skopeo_inspects_every_layout(self):
        for label, entry in sorted(FILES.items()):
            raw = self.run_tool(["skopeo", "inspect", "--raw", "oci:" + entry["layout"]])
            want = iwtest.read(entry.get("index") or entry["manifest"])
            self.assertEqual(raw, want, label)
            info = json.loads(self.run_tool(["skopeo", "inspect", "oci:" + entry["layout"]]))
            if "manifest" in entry:
                self.assertEqual(info["Digest"], iwtest.read(entry["digest"]).decode(), label)

    def run_in_container(self, label):
        """umoci unpacks the layout by its ref name, runc runs it; returns (spec, output)."""
        entry = FILES[label]
        bundle = self.path("bundle")
        shutil.rmtree(bundle, ignore_errors=True)
        # The rules name the root "latest" (oci_image's ref_name) in index.json,
        # which is what umoci looks a tag up by: no re-tagging copy.
        self.run_tool(["umoci", "unpack", "--image", entry["layout"] + ":latest", bundle])
        spec_path = os.path.join(bundle, "config.json")
        with open(spec_path) as f:
            spec = json.load(f)
        spec["process"]["terminal"] = False
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        state = self.path("runc-state")
        out = self.run_tool(["runc", "--root", state, "run", "iw-examples-%d" % os.getpid()], cwd=bundle,
                            timeout=60)
        return spec, out.decode()

    def test_umoci_unpack_and_runc_run(self):
        spec, out = self.run_in_container("//examples/config:image")
        self.assertEqual(spec["process"]["args"], ["/app/hello", "--from", "bazel"])
        self.assertEqual(spec["process"]["cwd"], "/data")
        self.assertEqual(spec["process"]["user"]["uid"], 65532)
        self.assertEqual(out, "configured hello from imagewriter --from bazel (cwd /data)\n")

    def test_file_modes_come_from_the_build_graph(self):
        # Read with Python's tarfile, not our reader. The binary is the
        # target's executable; greeting.txt is a data file, and must be 0644
        # even where the executor made every input executable.
        entry = FILES["//examples/runfiles:image"]
        digest = json.loads(iwtest.read(entry["layers"][0]["descriptor"]))["digest"]
        blob = os.path.join(entry["layout"], "blobs", "sha256", digest.split(":")[1])
        with tarfile.open(blob, "r:*") as tar:
            modes = {m.name: m.mode for m in tar.getmembers() if m.isfile()}
        greeting = [name for name in modes if name.endswith("/greeting.txt")]
        self.assertEqual(len(greeting), 1, sorted(modes))
        self.assertEqual(modes[greeting[0]], 0o644, greeting[0])
        self.assertEqual(modes["app/greeter"], 0o755)
        binaries = [name for name in modes if name.endswith("/greeter")]
        self.assertTrue(binaries, sorted(modes))
        for name in binaries:
            self.assertEqual(modes[name], 0o755, name)

    def test_runfiles_example_runs(self):
        _, out = self.run_in_container("//examples/runfiles:image")
        self.assertEqual(out, "hello from the runfiles tree\n")


if __name__ == "__main__":
    unittest.main()
