"""Images leave Bazel the way users ship them, proven with real tools.

- skopeo reads the OCI layout and the oci-archive: digests and config match.
- oci_push sends an image and an index to a real registry (docker-registry on
  127.0.0.1, started and stopped here); skopeo pulls them back into a new
  layout; the manifest digest, config and every blob are identical.
- podman loads the image through containers-storage and from an archive: it
  is listed with its tag and the config digest as its ID. A reload after a
  one-file change stores that layer alone (skopeo skips the others, the
  store gains one layer) and the new file is in the image; podman runs it
  (with rlimits below the sandbox's, so that runc may set them).
- For docker, the loader writes the archive at run time and `docker load`s it.
"""
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import unittest
import urllib.request

from tests import iwtest

FILES = json.load(open("tests/e2e/images.json"))
HELLO = FILES["//examples/hello:image"]
INDEX = FILES["//examples/multiarch:index"]
RUNFILES = os.path.abspath("..")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ShipTest(iwtest.ImagewriterTestCase):
    def env(self, **extra):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir, "TMPDIR": self.dir,
               "RUNFILES_DIR": RUNFILES}
        env.update(extra)
        return env

    def run_cmd(self, args, **kwargs):
        proc = subprocess.run(args, env=kwargs.pop("env", self.env()), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300, **kwargs)
        self.assertEqual(proc.returncode, 0, "%s failed:\n%s" % (args, proc.stderr.decode()))
        return proc.stdout.decode()

    def skopeo(self, *args):
        return self.run_cmd(["skopeo"] + list(args))

    def test_skopeo_reads_layout_and_oci_archive(self):
        digest = iwtest.read(HELLO["digest"]).decode()
        info = json.loads(self.skopeo("inspect", "oci:" + HELLO["layout"]))
        self.assertEqual(info["Digest"], digest)
        info = json.loads(self.skopeo("inspect", "oci-archive:tests/e2e/hello_oci_archive.tar"))
        self.assertEqual(info["Digest"], digest)
        self.assertEqual(self.skopeo("inspect", "--config", "--raw", "oci-archive:tests/e2e/hello_oci_archive.tar"),
                         iwtest.read(HELLO["config"]).decode())
        # The archive names the image with the repo tag.
        raw = self.skopeo("inspect", "--raw", "oci-archive:tests/e2e/hello_oci_archive.tar:imagewriter/hello:oci")
        self.assertEqual(raw, iwtest.read(HELLO["manifest"]).decode())
        # The arm64 docker archive was cut from the index.
        info = json.loads(self.skopeo("inspect", "docker-archive:tests/e2e/multiarch_arm64_docker.tar"))
        self.assertEqual(info["Architecture"], "arm64")
        with tarfile.open("tests/e2e/multiarch_arm64_docker.tar") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
        self.assertEqual(manifest[0]["RepoTags"], ["imagewriter/multiarch:arm64"])

    def start_registry(self):
        if shutil.which("docker-registry") is None:
            self.fail("docker-registry is not installed: run tools/setup.sh")
        port = free_port()
        config = self.path("registry.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                    "    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%d\n" % (self.path("registry"), port))
        proc = subprocess.Popen(["docker-registry", "serve", config], env=self.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.terminate)
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/v2/" % port, timeout=1)
                return "127.0.0.1:%d" % port
            except OSError:
                time.sleep(0.1)
        self.fail("docker-registry did not start")

    def blobs(self, layout):
        return sorted(os.listdir(os.path.join(layout, "blobs", "sha256")))

    def push_and_pull(self, registry, push_script, repository, tag, entry):
        out = self.run_cmd([push_script, "--repository", registry + "/" + repository, "--insecure"])
        digest = iwtest.read(entry["digest"]).decode()
        self.assertIn("pushed %s/%s:%s@%s" % (registry, repository, tag, digest), out)
        pulled = self.path("pulled-" + repository.replace("/", "-"))
        self.skopeo("copy", "-q", "--all", "--src-tls-verify=false",
                    "docker://%s/%s:%s" % (registry, repository, tag), "oci:" + pulled)
        index = json.load(open(os.path.join(pulled, "index.json")))
        self.assertEqual(index["manifests"][0]["digest"], digest)
        self.assertEqual(self.blobs(pulled), self.blobs(entry["layout"]))
        for blob in self.blobs(pulled):
            self.assertEqual(iwtest.read(os.path.join(pulled, "blobs/sha256", blob)),
                             iwtest.read(os.path.join(entry["layout"], "blobs/sha256", blob)), blob)

    def test_push_to_registry_and_pull_back(self):
        registry = self.start_registry()
        self.push_and_pull(registry, "examples/hello/push.sh", "iw/hello", "latest", HELLO)
        self.push_and_pull(registry, "examples/multiarch/push.sh", "iw/multiarch", "1.0.0", INDEX)
        # Run-time tags replace remote_tags.
        out = self.run_cmd(["examples/hello/push.sh", "--repository", registry + "/iw/hello",
                            "--tag", "v2", "--insecure"])
        self.assertIn(":v2@sha256:", out)

    def podman_store(self):
        """A podman command line with a store of its own, removed after the test."""
        if shutil.which("podman") is None:
            self.fail("podman is not installed: run tools/setup.sh")
        # podman limits --runroot to 50 characters; the test tmpdir is longer.
        short = tempfile.mkdtemp(prefix="iwpod", dir="/tmp")
        self.addCleanup(shutil.rmtree, short, True)
        return "podman --root %s/root --runroot %s/run --storage-driver vfs" % (short, short)

    def load(self, script, cli, *args, **env):
        proc = subprocess.run([script] + list(args), env=self.env(IMAGEWRITER_CONTAINER_CLI=cli, **env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        output = (proc.stdout + proc.stderr).decode()
        if proc.returncode != 0 and ("newuidmap" in output or "user namespace" in output
                                     or "cannot re-exec" in output):
            self.skipTest("podman cannot run in this sandbox: " + output.strip().splitlines()[-1])
        self.assertEqual(proc.returncode, 0, output)
        return output

    def podman_images(self, cli):
        images = json.loads(self.run_cmd(cli.split() + ["images", "--format", "json"]))
        return [(i["Id"], i.get("Names") or []) for i in images]

    def test_podman_loads_through_storage_and_from_an_archive(self):
        config_digest = json.loads(iwtest.read(HELLO["manifest"]))["config"]["digest"]
        expected = (config_digest.split(":")[1], ["docker.io/imagewriter/hello:latest"])
        for args in [[], ["--archive"]]:
            cli = self.podman_store()
            output = self.load("examples/hello/load.sh", cli, *args)
            self.assertIn("Loaded image: docker.io/imagewriter/hello:latest", output)
            self.assertIn(expected, self.podman_images(cli), args)

    def layer_digests(self, entry):
        return [json.loads(iwtest.read(layer["descriptor"]))["digest"] for layer in entry["layers"]]

    def test_podman_reload_stores_only_the_changed_layer(self):
        cli = self.podman_store()
        # skopeo --debug says, for each blob, whether the store already had it.
        skopeo = self.path("skopeo-debug")
        with open(skopeo, "w") as f:
            f.write('#!/bin/sh\nexec skopeo --debug "$@"\n')
        os.chmod(skopeo, 0o755)
        one, two = FILES["//tests/e2e:reload_one"], FILES["//tests/e2e:reload_two"]
        self.load("tests/e2e/reload_one_load.sh", cli, IMAGEWRITER_SKOPEO=skopeo)
        store = cli.split()[2]
        layers_json = os.path.join(store, "vfs-layers", "layers.json")
        before = {layer["id"] for layer in json.loads(iwtest.read(layers_json))}
        output = self.load("tests/e2e/reload_two_load.sh", cli, IMAGEWRITER_SKOPEO=skopeo)
        self.assertIn("Loaded image: docker.io/imagewriter/reload:test", output)
        shared, changed = self.layer_digests(two)[:2], self.layer_digests(two)[2]
        self.assertEqual(shared, self.layer_digests(one)[:2])
        for digest in shared:
            self.assertIn("Skipping blob %s (already present)" % digest, output)
        self.assertNotIn("Skipping blob %s" % changed, output)
        after = {layer["id"] for layer in json.loads(iwtest.read(layers_json))}
        self.assertTrue(before < after and len(after - before) == 1, (before, after))
        # The tag moved to the new image, whose root file system has the new file.
        config = json.loads(iwtest.read(two["config"]))
        inspect = json.loads(self.run_cmd(cli.split() + ["image", "inspect", "imagewriter/reload:test"]))
        self.assertEqual(inspect[0]["RootFS"]["Layers"], config["rootfs"]["diff_ids"])
        root = self.run_cmd(cli.split() + ["image", "mount", "imagewriter/reload:test"]).strip()
        self.addCleanup(self.run_cmd, cli.split() + ["image", "unmount", "imagewriter/reload:test"])
        self.assertEqual(iwtest.read(os.path.join(root, "app/version")), b"two\n")

    def test_podman_runs_the_loaded_image(self):
        cli = self.podman_store()
        self.load("examples/hello/load.sh", cli)
        # podman asks runc for RLIMIT_NOFILE and RLIMIT_NPROC at or above
        # this process's own limits (its defaults, "host", or these limits
        # copied), and inside Bazel's sandbox runc may not set them: EPERM.
        # Limits well below any sandbox's are always allowed, and ample for
        # a program that prints one line.
        ulimits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=512:512"]
        proc = subprocess.run(cli.split() + ["run", "--rm", "--network", "none"] + ulimits +
                              ["imagewriter/hello:latest"],
                              env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        output = (proc.stdout + proc.stderr).decode()
        if proc.returncode != 0 and ("rlimit" in output or "cgroup" in output):
            self.skipTest("podman cannot start containers in this sandbox: " + output.strip().splitlines()[-1])
        self.assertEqual(proc.returncode, 0, output)
        self.assertEqual(proc.stdout.decode(), "hello from imagewriter --from bazel (cwd /app)\n")

    def test_docker_loads_an_archive_written_at_run_time(self):
        # A stand-in for docker that keeps what `docker load -i` was given.
        docker = self.path("docker")
        kept = self.path("loaded.tar")
        with open(docker, "w") as f:
            f.write('#!/bin/sh\n[ "$1 $2" = "load -i" ] && cp "$3" %s\n' % kept)
        os.chmod(docker, 0o755)
        self.load("examples/hello/load.sh", docker)
        with tarfile.open(kept) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
        self.assertEqual(manifest[0]["RepoTags"], ["imagewriter/hello:latest"])
        self.assertEqual(manifest[0]["Config"], "blobs/sha256/" + json.loads(
            iwtest.read(HELLO["manifest"]))["config"]["digest"].split(":")[1])


if __name__ == "__main__":
    unittest.main()
