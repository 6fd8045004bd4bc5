"""Attestations (issue 14 item 6) end to end, with the tools that read them.

- The attested image's layout is BuildKit's shape: an index holding the
  image and its attestation manifest; `imagewriter verify` walks both.
- skopeo copy --all keeps the attestation manifest, digest for digest.
- umoci unpacks the image (after skopeo picks it out of the index: umoci
  0.4.7 calls any index of two manifests ambiguous).
- oci_push puts the index, the attestation manifest and the OCI 1.1
  referrers fallback tag sha256-<hex> on docker-registry 2.8 (no referrers
  API); pulling back keeps the attestations; a second push leaves the tag.
  A referrers layout the push script cannot read (no digest where one must
  be, a file missing) stops the push with a message naming the file, not
  silently.
- Malformed statements get errors naming the file and leave no output;
  verify refuses an attestation entry that attests nothing in its index,
  and reads BuildKit's older attestation manifests (an image config, no
  subject).
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.abspath("tests/e2e"))

from tests import iwtest  # noqa: E402
import registry  # noqa: E402

FILES = json.load(open("tests/attest/images.json"))
IMAGE = {k: os.path.abspath(v) for k, v in FILES["//tests/attest:image_amd64"].items() if k != "layers"}
INDEX = {k: os.path.abspath(v) for k, v in FILES["//tests/attest:index"].items() if k != "layers"}
RUNFILES = os.path.abspath("..")
ATTESTATION_TYPE = "application/vnd.docker.attestation.manifest.v1+json"


def blob(layout, digest):
    return iwtest.read(os.path.join(layout, "blobs", "sha256", digest.split(":")[1]))


def root_index(layout):
    root = json.loads(iwtest.read(os.path.join(layout, "index.json")))["manifests"][0]
    return root, json.loads(blob(layout, root["digest"]))


def attestation_entries(index):
    return [m for m in index["manifests"]
            if m.get("annotations", {}).get("vnd.docker.reference.type") == "attestation-manifest"]


class AttestTest(iwtest.ImagewriterTestCase):
    def tool(self, *args, ok=True):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir, "TMPDIR": self.dir}
        proc = subprocess.run(list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=300)
        self.assertEqual(proc.returncode == 0, ok, proc.stdout.decode())
        return proc.stdout.decode()

    def test_layout_is_buildkits_form_and_verifies(self):
        root, index = root_index(IMAGE["layout"])
        self.assertEqual(root["mediaType"], "application/vnd.oci.image.index.v1+json")
        image, attestation = index["manifests"]
        self.assertEqual(image["digest"], iwtest.read(IMAGE["digest"]).decode())
        self.assertEqual(attestation["platform"], {"architecture": "unknown", "os": "unknown"})
        self.assertEqual(attestation["annotations"]["vnd.docker.reference.digest"], image["digest"])
        manifest = json.loads(blob(IMAGE["layout"], attestation["digest"]))
        self.assertEqual(manifest["artifactType"], ATTESTATION_TYPE)
        self.assertEqual(manifest["subject"]["digest"], image["digest"])
        types = [layer["annotations"]["in-toto.io/predicate-type"] for layer in manifest["layers"]]
        self.assertEqual(types, ["https://spdx.dev/Document", "https://slsa.dev/provenance/v1"])
        provenance = json.loads(blob(IMAGE["layout"], manifest["layers"][1]["digest"]))
        self.assertEqual(provenance["subject"], [{"name": "_", "digest": {"sha256": image["digest"][7:]}}])
        definition = provenance["predicate"]["buildDefinition"]
        self.assertEqual(definition["externalParameters"]["target"], "//tests/attest:image_amd64")
        self.assertEqual([d["name"] for d in definition["resolvedDependencies"]], ["imagewriter", "layer 0"])
        # The image index lists both images, then both attestation manifests.
        index = json.loads(iwtest.read(INDEX["index"]))
        self.assertEqual([m["platform"]["architecture"] for m in index["manifests"]],
                         ["amd64", "arm64", "unknown", "unknown"])
        for layout in (IMAGE["layout"], INDEX["layout"]):
            out = self.ok(["verify", layout]).stdout
            self.assertIn("attestation manifests", out)

    def test_index_attestations_join_each_images(self):
        index_files = FILES["//tests/attest:index_attested"]
        index = json.loads(iwtest.read(index_files["index"]))
        layout = os.path.abspath(index_files["layout"])
        entries = attestation_entries(index)
        self.assertEqual([e["annotations"]["vnd.docker.reference.digest"] for e in entries],
                         [m["digest"] for m in index["manifests"][:2]])
        own = json.loads(blob(IMAGE["layout"], root_index(IMAGE["layout"])[1]["manifests"][1]["digest"]))
        first = json.loads(blob(layout, entries[0]["digest"]))
        # The image's statements, unchanged, then the index's.
        self.assertEqual(first["layers"][:2], own["layers"])
        self.assertEqual([layer["annotations"]["in-toto.io/predicate-type"] for layer in first["layers"]],
                         ["https://spdx.dev/Document", "https://slsa.dev/provenance/v1",
                          "https://openvex.dev/ns/v0.2.0"])
        second = json.loads(blob(layout, entries[1]["digest"]))
        self.assertEqual([layer["annotations"]["in-toto.io/predicate-type"] for layer in second["layers"]],
                         ["https://slsa.dev/provenance/v1", "https://openvex.dev/ns/v0.2.0"])
        self.ok(["verify", layout])

    def test_skopeo_copy_all_keeps_attestations_and_umoci_unpacks(self):
        copy = self.path("copy")
        self.tool("skopeo", "copy", "--all", "--preserve-digests", "oci:%s:latest" % IMAGE["layout"],
                  "oci:%s:latest" % copy)
        self.assertEqual(root_index(copy)[1], root_index(IMAGE["layout"])[1])
        self.ok(["verify", copy])
        single = self.path("single")
        self.tool("skopeo", "copy", "--override-os", "linux", "--override-arch", "amd64",
                  "oci:%s:latest" % IMAGE["layout"], "oci:%s:latest" % single)
        bundle = self.path("bundle")
        self.tool("umoci", "unpack", "--rootless", "--image", single + ":latest", bundle)
        self.assertTrue(os.path.exists(os.path.join(bundle, "rootfs", "app", "hello.sh")))

    def test_push_pull_keeps_attestations_and_writes_the_referrers_tag(self):
        reg = registry.Registry(self.dir, env={"PATH": "/usr/bin:/bin"})
        self.addCleanup(reg.stop)
        repository = reg.addr + "/iw/attest"
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir, "TMPDIR": self.dir,
               "RUNFILES_DIR": RUNFILES}
        for script in ("tests/attest/push_image.sh", "tests/attest/push_index.sh"):
            proc = subprocess.run([script, "--repository", repository, "--insecure"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stdout.decode())
        _, index = root_index(IMAGE["layout"])
        image, attestation = index["manifests"]
        tag = "sha256-" + image["digest"][7:]
        referrers = json.loads(self.get(reg, "iw/attest", tag))
        # skopeo 1.9 drops artifactType from index entries (see push.sh.tpl).
        self.assertEqual(referrers["manifests"], [{
            "mediaType": attestation["mediaType"], "digest": attestation["digest"],
            "size": attestation["size"]}])
        self.assertEqual(hashlib.sha256(self.get(reg, "iw/attest", attestation["digest"])).hexdigest(),
                         attestation["digest"][7:])
        # Both images of the index got their tag.
        for entry in attestation_entries(json.loads(iwtest.read(INDEX["index"]))):
            self.get(reg, "iw/attest", "sha256-" + entry["annotations"]["vnd.docker.reference.digest"][7:])
        # Pulled back, the attestation manifest is there with its digest.
        pulled = self.path("pulled")
        self.tool("skopeo", "copy", "--all", "--preserve-digests", "--src-tls-verify=false",
                  "docker://%s:v1" % repository, "oci:%s:latest" % pulled)
        self.assertEqual(root_index(pulled)[1], index)
        self.ok(["verify", pulled])
        # A second push finds the referrers tag already listing them.
        proc = subprocess.run(["tests/attest/push_image.sh", "--repository", repository, "--insecure"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout.decode())
        self.assertIn("already lists the attestations", proc.stdout.decode())

    def test_unreadable_referrers_layout_stops_the_push_with_a_message(self):
        reg = registry.Registry(self.dir, env={"PATH": "/usr/bin:/bin"})
        self.addCleanup(reg.stop)
        # A writable copy of the push script's runfiles.
        root = self.path("runfiles")
        shutil.copytree(os.path.join(RUNFILES, "imagewriter", "tests", "attest"),
                        os.path.join(root, "imagewriter", "tests", "attest"))
        # Without the OciRunfiles copy, the script reads this tree itself.
        shutil.rmtree(os.path.join(root, "imagewriter", "tests", "attest", "push_image.runfiles_copy"))
        # The tool that checks the run-time --repository, as a link to the
        # real binary, which finds its libcrypto next to its real path.
        os.makedirs(os.path.join(root, "imagewriter", "src", "cli"))
        os.symlink(os.path.realpath(os.path.join(RUNFILES, "imagewriter", "src", "cli", "imagewriter")),
                   os.path.join(root, "imagewriter", "src", "cli", "imagewriter"))
        for parent, dirs, files in os.walk(root):
            for name in dirs + files:
                if not os.path.islink(os.path.join(parent, name)):
                    os.chmod(os.path.join(parent, name), 0o755)
        layout = os.path.join(root, "imagewriter", "tests", "attest", "image_amd64.referrers")
        index = os.path.join(layout, "index.json")
        digest = json.loads(iwtest.read(index))["manifests"][0]["digest"]
        listed = os.path.join(layout, "blobs", "sha256", digest[7:])
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir, "TMPDIR": self.dir, "RUNFILES_DIR": root}

        def push_fails():
            proc = subprocess.run(["tests/attest/push_image.sh", "--repository", reg.addr + "/iw/broken",
                                   "--insecure"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=300)
            self.assertEqual(proc.returncode, 1, proc.stdout.decode())
            self.assertIn("pushed %s/iw/broken:v1@" % reg.addr, proc.stdout.decode())
            return proc.stdout.decode()

        with open(listed, "w") as f:
            json.dump({"schemaVersion": 2, "manifests": []}, f)
        self.assertIn("oci_push: %s has no attestation manifest digest\n" % listed, push_fails())
        with open(index, "w") as f:
            json.dump({"schemaVersion": 2, "manifests": []}, f)
        self.assertIn("oci_push: %s has no manifest digest\n" % index, push_fails())
        os.remove(index)
        self.assertIn("push_image.sh: %s was not downloaded" % index, push_fails())

    def get(self, reg, repository, reference):
        req = urllib.request.Request("http://%s/v2/%s/manifests/%s" % (reg.addr, repository, reference))
        req.add_header("Accept", "application/vnd.oci.image.manifest.v1+json, "
                       "application/vnd.oci.image.index.v1+json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def attest(self, statement_text):
        statement = self.path("statement.json")
        with open(statement, "w") as f:
            f.write(statement_text)
        descriptor = self.path("subject.json")
        with open(descriptor, "w") as f:
            json.dump({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": iwtest.read(IMAGE["digest"]).decode(), "size": 476}, f)
        request = self.path("request.json")
        iwtest.write_json(request, {"subject": descriptor, "statements": [statement]})
        outs = [self.path(n) for n in ("s0.json", "manifest.json", "descriptor.json")]
        result = iwtest.run(["attest", "--request", request, "--statement-out", outs[0],
                             "--manifest-out", outs[1], "--descriptor-out", outs[2]])
        return result, statement, outs

    def test_malformed_statements_are_refused_and_leave_nothing(self):
        for text, message in [
                ("{", "expected a string key"),
                ('{"_type": "https://in-toto.io/Statement/v1"}', "predicateType: required"),
                ('{"_type": "x", "predicateType": "p"}', "_type: \"x\" is not"),
                ('{"_type": "https://in-toto.io/Statement/v1", "predicateType": "p", '
                 '"subject": [{"name": "a", "digest": {"sha256": "%s"}}]}' % ("0" * 64),
                 "is not the image manifest")]:
            result, statement, outs = self.attest(text)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn(statement, result.stderr)
            self.assertIn(message, result.stderr)
            for out in outs:
                self.assertFalse(os.path.exists(out), out)

    def test_verify_reads_buildkits_older_form(self):
        """BuildKit's oci-artifact=false attestation manifest: an image config
        listing the statements as diff_ids, no artifactType, no subject."""
        layout = self.path("older")
        shutil.copytree(IMAGE["layout"], layout)
        for d, _, files in os.walk(layout):
            os.chmod(d, 0o755)
            for name in files:
                os.chmod(os.path.join(d, name), 0o644)

        def put(data):
            digest = hashlib.sha256(data).hexdigest()
            with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
                f.write(data)
            return {"digest": "sha256:" + digest, "size": len(data)}

        root, index = root_index(layout)
        new = json.loads(blob(layout, index["manifests"][1]["digest"]))
        statements = [layer["digest"] for layer in new["layers"]]
        config = put(json.dumps({"architecture": "unknown", "os": "unknown", "config": {},
                                 "rootfs": {"type": "layers", "diff_ids": statements}}).encode())
        old = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
               "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
               "layers": new["layers"]}
        index["manifests"][1].update(put(json.dumps(old).encode()))
        root.update(put(json.dumps(index).encode()))
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [root]}, f)
        self.assertIn("1 attestation manifests", self.ok(["verify", layout]).stdout)

    def test_verify_refuses_an_attestation_of_nothing_in_its_index(self):
        layout = self.path("layout")
        shutil.copytree(IMAGE["layout"], layout)
        os.chmod(layout, 0o755)
        for d, _, files in os.walk(layout):
            os.chmod(d, 0o755)
            for name in files:
                os.chmod(os.path.join(d, name), 0o644)
        root, index = root_index(layout)
        index["manifests"][1]["annotations"]["vnd.docker.reference.digest"] = "sha256:" + "1" * 64
        data = json.dumps(index).encode()
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        root.update(digest="sha256:" + digest, size=len(data))
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [root]}, f)
        result = iwtest.run(["verify", layout])
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("which is not another manifest of this index", result.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
