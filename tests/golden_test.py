"""Golden-file tests: exact bytes and digests of everything imagewriter writes.

Each case builds outputs from the committed inputs in testdata/ and compares
them byte for byte with testdata/golden/<case>/. The goldens were reviewed by
hand against the OCI image-spec and BuildKit's writer; a golden changes only
in a commit that says why. To regenerate after an intended change:

    IW_UPDATE_GOLDENS=1 bazel run //tests:golden_test
"""
import os
import shutil
import tarfile
import unittest

from tests import iwtest

GOLDEN = os.path.join(iwtest.TESTDATA, "golden")
UPDATE = os.environ.get("IW_UPDATE_GOLDENS") == "1"
SOURCE_GOLDEN = os.path.join(os.environ.get("BUILD_WORKSPACE_DIRECTORY", ""), "testdata", "golden")

# The fields every single-image case sets, as rules_oci users would.
FULL_CONFIG = {
    "entrypoint": {"values": ["/app/hello.sh"]},
    "cmd": {"values": ["--greeting", "<hi & bye>"]},
    "env": ["GREETING=hello", "PATH=/app:$PATH", "BOTH=${GREETING}-$UNSET-x"],
    "user": "65532:65532",
    "workdir": "/app",
    "labels": {"org.opencontainers.image.source": "https://example.invalid/repo", "a": "1"},
    "exposedPorts": ["8080", "53/udp"],
    "volumes": ["/data"],
    "stopSignal": "SIGTERM",
    "annotations": {"org.opencontainers.image.title": "hello"},
    "created": "2024-01-02T03:04:05Z",
}


class GoldenTest(iwtest.ImagewriterTestCase):
    def check(self, case, files):
        """Compares {name: path} outputs with testdata/golden/<case>/<name>."""
        for name, path in sorted(files.items()):
            actual = iwtest.read(path)
            if UPDATE:
                dest = os.path.join(SOURCE_GOLDEN, case)
                os.makedirs(dest, exist_ok=True)
                shutil.copyfile(path, os.path.join(dest, name))
                continue
            golden = os.path.join(GOLDEN, case, name)
            self.assertTrue(os.path.exists(golden), "missing golden %s" % golden)
            self.assertEqual(actual, iwtest.read(golden),
                             "%s/%s differs from its golden" % (case, name))

    def image_files(self, out):
        return {"config.json": out["config"], "manifest.json": out["manifest"],
                "descriptor.json": out["descriptor"], "digest": out["digest"]}

    def hello_layer(self, extra=()):
        return self.layer("hello", os.path.join(iwtest.TESTDATA, "layers/hello.tar"), extra)

    def test_layers(self):
        files = {}
        for name, src, extra in [
                ("gzip", "hello.tar", []),
                ("gzip_level9", "hello.tar", ["--level", "9"]),
                ("gzip_level0", "hello.tar", ["--level", "0"]),
                ("zstd", "hello.tar", ["--compression", "zstd"]),
                ("none", "hello.tar", ["--compression", "none"]),
                ("gzip_passthrough", "hello.tar.gz", []),
                ("zstd_passthrough", "hello.tar.zst", ["--compression", "zstd"]),
                ("gzip_from_zstd", "hello.tar.zst", []),
                ("empty", "empty.tar", [])]:
            desc, diff, blob = self.layer(name, os.path.join(iwtest.TESTDATA, "layers", src), extra)
            files[name + ".desc.json"] = desc
            files[name + ".diffid"] = diff
        self.check("layers", files)
        # The blob of a passthrough is the input itself.
        self.assertEqual(iwtest.read(self.path("gzip_passthrough.blob")),
                         iwtest.read(os.path.join(iwtest.TESTDATA, "layers/hello.tar.gz")))
        # Every form of the same tar has the same diffID.
        diffs = {iwtest.read(self.path(n + ".diffid")) for n in
                 ("gzip", "zstd", "none", "gzip_passthrough", "zstd_passthrough", "gzip_from_zstd")}
        self.assertEqual(len(diffs), 1)

    def files_layer(self, name, order, touch):
        files = os.path.join(iwtest.TESTDATA, "files", "app")
        # The rules say which files are executables; the tool never reads
        # mode bits (on remote execution every input is executable).
        entries = [{"path": "/app/bin/hello.sh", "file": os.path.join(files, "hello.sh"), "executable": True},
                   {"path": "app/etc/config.txt", "file": os.path.join(files, "config.txt")},
                   {"path": "app/current", "symlink": "bin/hello.sh"},
                   {"path": "var/cache", "directory": True},
                   {"path": "app/" + "deep/" * 30 + "config.txt", "file": os.path.join(files, "config.txt")}]
        entries = [entries[i] for i in order]
        for entry in entries:
            if touch and "file" in entry:
                copy = self.path("%s-%s" % (name, os.path.basename(entry["file"])))
                shutil.copy(entry["file"], copy)
                os.utime(copy, (touch, touch))
                entry["file"] = copy
        spec = self.path(name + ".files.json")
        iwtest.write_json(spec, {"entries": entries, "owner": "65532:65532", "mtime": 1700000000})
        blob, desc, diff = (self.path(name + s) for s in (".blob", ".desc.json", ".diffid"))
        self.ok(["layer", "--files", spec, "--output", blob, "--descriptor-out", desc, "--diff-id-out", diff])
        return desc, diff, blob

    def test_layer_from_files(self):
        desc, diff, blob = self.files_layer("a", [0, 1, 2, 3, 4], None)
        # Another order and other host mtimes give the same bytes.
        desc2, _, blob2 = self.files_layer("b", [4, 3, 2, 1, 0], 1234567890)
        self.assertEqual(iwtest.read(blob), iwtest.read(blob2))
        self.check("files_layer", {"desc.json": desc, "diffid": diff})
        with tarfile.open(blob) as tar:
            self.assertEqual(tar.getnames()[:4], ["app", "app/bin", "app/bin/hello.sh", "app/current"])
            member = tar.getmember("app/bin/hello.sh")
            self.assertEqual((member.mode, member.uid, member.mtime), (0o755, 65532, 1700000000))
            self.assertEqual(tar.getmember("app/current").linkname, "bin/hello.sh")
            self.assertIn("app/" + "deep/" * 30 + "config.txt", tar.getnames())

    def test_rewrite_timestamp(self):
        src = os.path.join(iwtest.TESTDATA, "layers/future.tar")
        before = self.layer("before", src, ["--compression", "none"])
        after = self.layer("after", src, ["--compression", "none", "--rewrite-timestamp", "1700000000"])
        self.assertNotEqual(iwtest.read(before[0]), iwtest.read(after[0]))
        self.check("rewrite_timestamp", {"before.desc.json": before[0], "after.desc.json": after[0],
                                         "after.diffid": after[1]})
        with tarfile.open(before[2]) as old, tarfile.open(after[2]) as new:
            self.assertEqual(old.getnames(), new.getnames())
            for a, b in zip(old.getmembers(), new.getmembers()):
                self.assertEqual(old.extractfile(a).read(), new.extractfile(b).read())
                self.assertEqual((a.mode, a.uid, a.gid), (b.mode, b.uid, b.gid))
                self.assertEqual(b.mtime, min(a.mtime, 1700000000))

    def single_image(self, media_types):
        desc, diff, _ = self.hello_layer()
        request = dict(FULL_CONFIG, platform="linux/amd64", mediaTypes=media_types,
                       layers=[{"descriptorFile": desc, "diffIdFile": diff,
                                "createdBy": "bazel build //app:image", "comment": "app layer"}])
        return self.image_files(self.image("image", request))

    def test_single_image_oci(self):
        self.check("single_oci", self.single_image("oci"))

    def test_attestations(self):
        """BuildKit's attestation manifest over single_oci, the index around both, and the
        referrers-tag index. The provenance hashes a test file, not the binary, so the
        golden does not change with the tool."""
        image = self.single_image("oci")
        statements = os.path.join(iwtest.TESTDATA, "attestations")
        request = self.path("attest.request.json")
        iwtest.write_json(request, {
            "subject": image["descriptor.json"],
            "statements": [os.path.join(statements, n) for n in ("sbom.json", "v01.json")],
            "provenance": {"target": "//app:image", "builderId": "urn:example:ci",
                           "parameters": {"platform": "linux/amd64"},
                           "dependencies": [{"name": "layer 0", "descriptorFile": self.path("hello.desc.json")},
                                            {"name": "tool", "file": os.path.join(statements, "sbom.json")}]}})
        names = ["statement0.json", "statement1.json", "statement2.json", "config.json", "manifest.json",
                 "descriptor.json", "referrers.json", "referrers.descriptor.json", "referrers.tag"]
        files = {n: self.path("attest." + n) for n in names}
        args = ["attest", "--request", request]
        for n in names[:3]:
            args += ["--statement-out", files[n]]
        for n in names[3:]:
            flag = n[:-len(".json")] if n.endswith(".json") else n
            args += ["--%s-out" % flag.replace(".", "-"), files[n]]
        self.ok(args)
        index_request = self.path("index.request.json")
        iwtest.write_json(index_request, {"manifests": [image["descriptor.json"]],
                                          "attestations": [files["descriptor.json"]]})
        files["index.json"] = self.path("attest.index.json")
        self.ok(["index", "--request", index_request, "--index-out", files["index.json"]])
        self.check("attestations", files)

    def test_single_image_docker(self):
        self.check("single_docker", self.single_image("docker"))

    def test_multi_platform_index(self):
        desc, diff, _ = self.hello_layer()
        roots = []
        for platform in ("linux/amd64", "linux/arm64/v8"):
            name = platform.replace("/", "_")
            out = self.image(name, {"platform": platform, "created": "2024-01-02T03:04:05Z",
                                    "layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
            roots.append(out["descriptor"])
        files = {}
        for flavor in ("oci", "docker"):
            if flavor == "docker":
                roots = []
                for platform in ("linux/amd64", "linux/arm64/v8"):
                    name = "docker_" + platform.replace("/", "_")
                    out = self.image(name, {"platform": platform, "mediaTypes": "docker",
                                            "layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
                    roots.append(out["descriptor"])
            req = self.path(flavor + ".index-request.json")
            # BuildKit refuses index annotations on a Docker manifest list.
            annotations = {"org.opencontainers.image.version": "1.0"} if flavor == "oci" else {}
            iwtest.write_json(req, {"manifests": roots, "mediaTypes": flavor, "annotations": annotations})
            index = self.path(flavor + ".index.json")
            self.ok(["index", "--request", req, "--index-out", index,
                     "--descriptor-out", self.path(flavor + ".index-desc.json")])
            files[flavor + ".index.json"] = index
            files[flavor + ".descriptor.json"] = self.path(flavor + ".index-desc.json")
        self.check("index", files)

    def base_image(self, base, extra_layers=True, name=None, **request):
        layers = []
        if extra_layers:
            desc, diff, _ = self.hello_layer()
            layers = [{"descriptorFile": desc, "diffIdFile": diff, "createdBy": "new layer"}]
        request.setdefault("layers", layers)
        request.update(baseConfig=os.path.join(iwtest.TESTDATA, "base", base, "config.json"),
                       baseManifest=os.path.join(iwtest.TESTDATA, "base", base, "manifest.json"))
        return self.image_files(self.image(name or base, request))

    def test_history_more_entries_than_layers(self):
        self.check("history_more", self.base_image("more_history", extra_layers=False))

    def test_history_fewer_entries_than_layers(self):
        self.check("history_fewer", self.base_image("no_history", created="2024-01-02T03:04:05Z"))

    def test_history_missing_created_is_filled(self):
        self.check("history_undated", self.base_image("undated_history", created="2024-01-02T03:04:05Z"))

    def test_base_config_unknown_fields_preserved(self):
        self.check("base_unknown_fields", self.base_image(
            "docker_style", env=["LANG=en_US.UTF-8"], sourceDateEpoch="1700000000"))

    def test_base_config_untouched_values_are_byte_identical(self):
        out = self.base_image("docker_style", extra_layers=False)
        config = iwtest.read(out["config.json"])
        # Re-emitted like Go's json.RawMessage: compacted, escapes kept.
        self.assertIn(b'"container_config":{"Hostname":"3f1c","Cmd":["/bin/sh","-c",'
                      b'"#(nop) CMD [\\"sh\\"] \\u0026\\u0026 \\u003cx\\u003e"]}', config)
        self.assertIn(b'"moby.extra":[1.50,2e3,null,true]', config)
        self.assertIn(b'"Labels":{"maintainer":"caf\\u00e9"}', config)

    def test_layer_annotations(self):
        # BuildKit's rules (src/writer/layer_annotations.h): of a base layer's
        # annotations only the eStargz ones survive; OCI manifests drop
        # BuildKit's internal keys of new layers and keep the rest; Docker
        # manifests carry no layer annotations, but do carry the manifest's.
        desc, diff, _ = self.hello_layer([
            "--annotation", "org.example.new=kept in OCI manifests",
            "--annotation", "buildkit/createdat=2024-01-01T00:00:00Z",
            "--annotation", "containerd.io/distribution.source.docker.io=library/hello"])
        files = {}
        for flavor in ("oci", "docker"):
            out = self.base_image("buildkit_base", extra_layers=False, name=flavor, mediaTypes=flavor,
                                  created="2024-01-02T03:04:05Z",
                                  annotations={"org.opencontainers.image.title": "annotated"},
                                  layers=[{"descriptorFile": desc, "diffIdFile": diff, "createdBy": "new"}])
            files[flavor + ".manifest.json"] = out["manifest.json"]
        self.check("layer_annotations", files)

    def test_created_and_history_times(self):
        # BuildKit's patchImageConfig (src/writer/config_patch.h) over a base
        # created 2023-06-01T12:00:00.500Z with history of 2023-05 and 2023-06:
        # - epoch after the base's created: it is kept, spelling and all;
        # - epoch before it: created becomes the epoch, the base's history
        #   keeps its times (BuildKit #4614), the new entry is clamped;
        # - the same with clampBaseHistory: every time is the epoch.
        files = {}
        for name, epoch, clamp_base in (("epoch_after_base", "1700000000", False),
                                        ("epoch_before_base", "1672531200", False),
                                        ("clamp_base_history", "1672531200", True)):
            out = self.base_image("buildkit_base", name=name, sourceDateEpoch=epoch,
                                  clampBaseHistory=clamp_base)
            files[name + ".config.json"] = out["config.json"]
        self.check("created_and_history", files)

    def test_empty_layer_kept_and_dropped(self):
        empty_desc = self.path("empty.desc.json")
        iwtest.write_json(empty_desc, {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1",
            "size": 32})
        empty_diff = self.path("empty.diffid")
        with open(empty_diff, "w") as f:
            f.write("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")
        desc, diff, _ = self.hello_layer()
        layers = [{"descriptorFile": desc, "diffIdFile": diff, "createdBy": "app"},
                  {"descriptorFile": empty_desc, "diffIdFile": empty_diff, "createdBy": "WORKDIR /x"}]
        files = {}
        for name, drop in (("kept", False), ("dropped", True)):
            out = self.image(name, {"layers": layers, "dropEmptyLayers": drop})
            files[name + ".config.json"] = out["config"]
            files[name + ".manifest.json"] = out["manifest"]
        self.check("empty_layer", files)


if __name__ == "__main__":
    unittest.main()
