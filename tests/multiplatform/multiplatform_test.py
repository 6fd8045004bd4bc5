"""oci_image_index(platforms = ...): one image target, built per platform.

Reads the index layouts the way a registry client would (index.json, then
the index, manifests, configs and layer blobs by digest) and checks that
each platform's manifest carries that platform in its config and in its
descriptor, and layers built for that platform:
- tests/multiplatform:index, whose layer holds a genrule output and a
  prebuilt file, both chosen by select() on @platforms//cpu;
- examples/multiarch:index_from_one, whose layer holds a C++ program
  compiled for each CPU; the arm64 one runs under qemu-aarch64, the amd64
  one natively.
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

# ELF e_machine values.
MACHINES = {"amd64": 0x3E, "arm64": 0xB7}


class Layout:
    """An OCI layout directory read by digest."""

    def __init__(self, path):
        self.path = path

    def blob(self, digest):
        algorithm, hexdigest = digest.split(":")
        with open(os.path.join(self.path, "blobs", algorithm, hexdigest), "rb") as f:
            return f.read()

    def json(self, digest):
        return json.loads(self.blob(digest))

    def images(self):
        """{architecture: (index entry, manifest, config)} of the root index."""
        root = json.load(open(os.path.join(self.path, "index.json")))
        (index_desc,) = root["manifests"]
        out = {}
        for entry in self.json(index_desc["digest"])["manifests"]:
            manifest = self.json(entry["digest"])
            config = self.json(manifest["config"]["digest"])
            out[config["architecture"]] = (entry, manifest, config)
        return out

    def files(self, manifest):
        """{path: bytes} of the regular files in every layer, top layer winning."""
        out = {}
        for layer in manifest["layers"]:
            with tarfile.open(fileobj=io.BytesIO(self.blob(layer["digest"])), mode="r:*") as tar:
                for member in tar.getmembers():
                    if member.isfile():
                        out[member.name.lstrip("./")] = tar.extractfile(member).read()
        return out


def layout_arg(name):
    return Layout(sys.argv[sys.argv.index(name) + 1])


class MultiplatformTest(unittest.TestCase):
    def check_platforms(self, images):
        # In the order of the index's `platforms`.
        self.assertEqual(list(images), ["amd64", "arm64"])
        for arch, (entry, _, config) in images.items():
            self.assertEqual(config["os"], "linux")
            self.assertEqual(entry["platform"], {"architecture": arch, "os": "linux"})
        entries = [e for e, _, _ in images.values()]
        self.assertNotEqual(entries[0]["digest"], entries[1]["digest"])

    def test_select_picks_per_platform(self):
        layout = LAYOUTS["--select"]
        images = layout.images()
        self.check_platforms(images)
        for arch, (_, manifest, _) in images.items():
            files = layout.files(manifest)
            self.assertEqual(files["etc/platform/arch.txt"], arch.encode() + b"\n")
            self.assertEqual(files["etc/platform/tool.txt"], b"prebuilt for %s\n" % arch.encode())

    def test_cc_binary_per_platform(self):
        layout = LAYOUTS["--cc"]
        images = layout.images()
        self.check_platforms(images)
        tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        for arch, (_, manifest, config) in images.items():
            self.assertEqual(config["config"]["Entrypoint"], ["/app/hello"])
            program = layout.files(manifest)["app/hello"]
            self.assertEqual(program[:4], b"\x7fELF")
            self.assertEqual(int.from_bytes(program[18:20], "little"), MACHINES[arch], arch)
            path = os.path.join(tmp, "hello-" + arch)
            with open(path, "wb") as f:
                f.write(program)
            os.chmod(path, 0o755)
            # Statically linked: qemu-aarch64 needs no arm64 sysroot.
            runner = [] if arch == "amd64" else [shutil.which("qemu-aarch64") or "qemu-aarch64"]
            proc = subprocess.run(runner + [path, "x"], cwd="/", stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
            self.assertEqual(proc.returncode, 0, "%s: %s" % (arch, proc.stderr.decode()))
            self.assertEqual(proc.stdout.decode().strip(), "hello from imagewriter x (cwd /)", arch)


if __name__ == "__main__":
    LAYOUTS = {name: layout_arg(name) for name in ("--select", "--cc")}
    unittest.main(argv=sys.argv[:1])
