"""Malformed inputs: each gives one clear error line and leaves no output.

Every case asserts the exit status, that stderr is a single line naming the
input and the problem, and that no output file (nor a temporary) is left in
the output directory.
"""
import hashlib
import json
import os
import unittest

from tests import iwtest

BAD = os.path.join(iwtest.TESTDATA, "bad")
DIGEST = "sha256:" + "ab" * 32


class ErrorsTest(iwtest.ImagewriterTestCase):
    def setUp(self):
        super().setUp()
        self.out = self.path("out")
        os.mkdir(self.out)

    def assert_fails(self, args, *expected):
        result = iwtest.run(args, cwd=self.dir)
        self.assertNotEqual(result.returncode, 0, "expected failure of %s" % args)
        lines = result.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, "expected one error line, got: %r" % result.stderr)
        self.assertIn(": error: ", lines[0])
        for text in expected:
            self.assertIn(text, lines[0])
        self.assertEqual(os.listdir(self.out), [], "outputs left behind after a failure")
        return lines[0]

    def layer_fails(self, name, *expected):
        src = os.path.join(BAD, name)
        return self.assert_fails(
            ["layer", "--input", src, "--output", os.path.join(self.out, "blob"),
             "--descriptor-out", os.path.join(self.out, "desc.json"),
             "--diff-id-out", os.path.join(self.out, "diffid")],
            src, *expected)

    def test_truncated_tar(self):
        self.layer_fails("truncated.tar", "truncated tar", "offset")

    def test_bad_checksum(self):
        self.layer_fails("bad_checksum.tar", "malformed tar at offset 512: header checksum mismatch")

    def test_not_a_tar(self):
        self.layer_fails("not_a_tar.bin", "offset 0", "not a tar archive")

    def test_zero_length(self):
        self.layer_fails("zero_length.tar", "not a tar archive: the input is empty")

    def test_gzip_bad_crc(self):
        self.layer_fails("bad_crc.tar.gz", "corrupt gzip stream", "incorrect data check")

    def test_truncated_zstd(self):
        self.layer_fails("truncated.tar.zst", "truncated zstd stream")

    def test_path_escaping_the_root(self):
        self.layer_fails("dotdot_escape.tar", 'entry "a/../../etc/passwd" at offset 1024 escapes the layer root')

    def test_hard_link_escaping_the_root(self):
        self.layer_fails("hardlink_escape.tar", 'hard link "link" -> "../../etc/shadow"', "points out of the layer root")

    def test_decompression_bomb(self):
        src = os.path.join(BAD, "bomb.tar.gz")
        blob = os.path.join(self.out, "blob")
        self.assert_fails(["layer", "--input", src, "--output", blob, "--max-ratio", "500"],
                          "decompression guard", "ratio over 500 (limits: --max-size, --max-ratio)")
        self.assert_fails(["layer", "--input", src, "--output", blob, "--max-size", "1048576"],
                          "decompression guard: the uncompressed tar exceeds 1048576 bytes (limits: --max-size, --max-ratio)")

    def test_suspicious_paths_are_warnings(self):
        src = os.path.join(iwtest.TESTDATA, "layers/suspicious_paths.tar")
        result = iwtest.run(["layer", "--input", src, "--output", self.path("blob")])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("warning: %s: 1 entries with absolute paths" % src, result.stderr)
        self.assertIn("1 symlinks whose relative target climbs above the root (runtimes clamp them at the root): d/up",
                      result.stderr)

    def test_missing_input(self):
        self.layer_fails("does-not-exist.tar", "cannot open")

    def test_exit_status(self):
        # 2 when the command line is wrong, 1 when an input is; chosen from
        # the status, not from the message's words.
        src = os.path.join(iwtest.TESTDATA, "layers/hello.tar")
        blob = os.path.join(self.out, "blob")
        for args in (["layer", "--input", src], ["layer", "--input", src, "--output", blob, "--frobnicate"],
                     ["layer", "--output", blob], ["verify"], ["no-such-command"]):
            self.assertEqual(iwtest.run(args, cwd=self.dir).returncode, 2, args)
        for args in (["layer", "--input", self.path("missing.tar"), "--output", blob],
                     ["layer", "--input", src, "--output", blob, "--level", "13"]):
            self.assertEqual(iwtest.run(args, cwd=self.dir).returncode, 1, args)
        self.assertEqual(os.listdir(self.out), [])

    def test_bad_flags(self):
        src = os.path.join(iwtest.TESTDATA, "layers/hello.tar")
        blob = os.path.join(self.out, "blob")
        self.assert_fails(["layer", "--input", src, "--output", blob, "--compression", "lz4"],
                          'unknown compression "lz4"')
        self.assert_fails(["layer", "--input", src, "--output", blob, "--level", "13"],
                          "level 13 out of range for gzip: expected 0..12 (--level)")
        # Level 0 is gzip's stored form; zstd has no such level.
        self.assert_fails(["layer", "--input", src, "--output", blob, "--compression", "zstd", "--level", "0"],
                          "level 0 out of range for zstd: expected 1..19 (--level)")
        self.assert_fails(["layer", "--input", src], "missing required flag --output")
        self.assert_fails(["layer", "--input", src, "--output", blob, "--frobnicate"],
                          "unknown flag --frobnicate")

    # --- image requests -------------------------------------------------

    def image_fails(self, request, *expected, raw=None):
        req = self.path("request.json")
        if raw is not None:
            with open(req, "wb") as f:
                f.write(raw)
        else:
            iwtest.write_json(req, request)
        outs = []
        for flag, name in (("--config-out", "config.json"), ("--manifest-out", "manifest.json"),
                           ("--descriptor-out", "descriptor.json"), ("--digest-out", "digest")):
            outs += [flag, os.path.join(self.out, name)]
        return self.assert_fails(["image", "--request", req] + outs, *expected)

    def descriptor(self, name, **fields):
        desc = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": DIGEST, "size": 10}
        desc.update(fields)
        path = self.path(name + ".json")
        iwtest.write_json(path, desc)
        return path

    def diff_id(self, value=DIGEST):
        path = self.path("diffid")
        with open(path, "w") as f:
            f.write(value)
        return path

    def one_layer(self, **fields):
        return {"layers": [{"descriptorFile": self.descriptor("layer", **fields),
                            "diffIdFile": self.diff_id()}]}

    def test_request_invalid_utf8(self):
        self.image_fails(None, "request.json", "invalid UTF-8", raw=b'{"user": "\xff"}')

    def test_request_duplicate_keys(self):
        self.image_fails(None, 'duplicate key "user"', "line 1", raw=b'{"user": "a", "user": "b"}')

    def test_request_wrong_type(self):
        line = self.image_fails({"layers": "x"}, "request.json", "invalid request")
        self.assertIn("layers", line)

    def test_request_unknown_field(self):
        line = self.image_fails({"entrypointt": {"values": []}}, "invalid request")
        self.assertIn("entrypointt", line)

    def test_request_not_json(self):
        self.image_fails(None, "request.json", "unexpected character", raw=b"entrypoint: x")

    def test_huge_number(self):
        self.image_fails(self.one_layer(size=10 ** 30), "layer.json.size",
                         "not an integer in the int64 range")

    def test_negative_size(self):
        self.image_fails(self.one_layer(size=-5), "layer.json.size: -5 is negative")

    def test_uppercase_digest(self):
        self.image_fails(self.one_layer(digest=DIGEST.upper().replace("SHA256", "sha256")),
                         "layer.json.digest", "lowercase hex")

    def test_unknown_algorithm(self):
        self.image_fails(self.one_layer(digest="md5:" + "0" * 32), 'unsupported algorithm "md5"')

    def test_bad_diff_id_file(self):
        request = self.one_layer()
        request["layers"][0]["diffIdFile"] = self.diff_id("sha256:nothex")
        self.image_fails(request, "diffid", "invalid digest")

    def test_invalid_platform(self):
        self.image_fails({"platform": "linux"}, 'invalid platform "linux"')
        self.image_fails({"platform": "Linux/AMD64"}, "must be lowercase")

    def test_env_without_equals(self):
        self.image_fails({"env": ["JUSTAKEY"]}, 'env entry "JUSTAKEY"', "KEY=VALUE")

    def test_empty_label_key(self):
        self.image_fails({"labels": {"": "v"}}, "label with an empty key")

    def test_bad_created(self):
        self.image_fails({"created": "yesterday"}, "created", "invalid timestamp")
        self.image_fails({"sourceDateEpoch": "-1"}, "invalid SOURCE_DATE_EPOCH")

    def test_clamp_base_history_without_epoch(self):
        # Nothing to clamp to: refused rather than ignored.
        self.image_fails({"clampBaseHistory": True}, "request.json",
                         "clamp_base_history needs a SOURCE_DATE_EPOCH")

    def test_base_created_not_a_time(self):
        # BuildKit parses a base's created to clamp it, and fails on one that
        # is not a time; so does imagewriter, with or without an epoch.
        request = self.base({"created": "last Tuesday", "rootfs": {"diff_ids": []}}, 0)
        self.image_fails(request, 'base-config.json.created: invalid timestamp "last Tuesday"')

    def test_docker_media_types_with_zstd_layer(self):
        request = self.one_layer(mediaType="application/vnd.oci.image.layer.v1.tar+zstd")
        request["mediaTypes"] = "docker"
        self.image_fails(request, "layer 0", "zstd layers have no Docker media type")

    def base(self, config, layer_count, config_digest=None):
        config_bytes = json.dumps(config).encode()
        cfg = self.path("base-config.json")
        with open(cfg, "wb") as f:
            f.write(config_bytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": config_digest or "sha256:" + hashlib.sha256(config_bytes).hexdigest(),
                       "size": len(config_bytes)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": DIGEST, "size": 1}] * layer_count,
        }
        man = self.path("base-manifest.json")
        iwtest.write_json(man, manifest)
        return {"baseConfig": cfg, "baseManifest": man}

    def test_diff_id_count_mismatch(self):
        request = self.base({"rootfs": {"type": "layers", "diff_ids": [DIGEST]}}, 2)
        self.image_fails(request, "base config lists 1 rootfs.diff_ids but the base manifest has 2 layers")

    def test_base_manifest_config_digest_mismatch(self):
        request = self.base({"rootfs": {"type": "layers", "diff_ids": []}}, 0, config_digest=DIGEST)
        self.image_fails(request, "base-manifest.json.config.digest", "does not match the base config")

    def test_base_config_wrong_type(self):
        request = self.base({"config": {"Env": "PATH=/bin"}, "rootfs": {"diff_ids": []}}, 0)
        request["env"] = ["A=1"]
        self.image_fails(request, "config.Env: expected an array of strings, got a string")

    def test_missing_descriptor_file(self):
        self.image_fails({"layers": [{"descriptorFile": "nope.json", "diffIdFile": "nope"}]},
                         "nope.json", "cannot open")

    # --- index requests -------------------------------------------------

    def index_fails(self, manifests, *expected, media_types="oci"):
        req = self.path("index-request.json")
        iwtest.write_json(req, {"manifests": manifests, "mediaTypes": media_types})
        return self.assert_fails(["index", "--request", req, "--index-out",
                                  os.path.join(self.out, "index.json")], *expected)

    def manifest_descriptor(self, name, platform=None, media_type=None):
        fields = {"mediaType": media_type or "application/vnd.oci.image.manifest.v1+json"}
        if platform:
            fields["platform"] = platform
        return self.descriptor(name, **fields)

    def test_index_duplicate_platform(self):
        p = {"os": "linux", "architecture": "amd64"}
        self.index_fails([self.manifest_descriptor("a", p), self.manifest_descriptor("b", p)],
                         "manifest 1", "platform linux/amd64 appears twice")

    def test_index_missing_platform(self):
        self.index_fails([self.manifest_descriptor("a")], "manifest 0", "has no platform")

    def test_docker_list_with_oci_manifest(self):
        self.index_fails([self.manifest_descriptor("a", {"os": "linux", "architecture": "amd64"})],
                         "cannot go in a Docker manifest list", media_types="docker")

    def test_docker_list_with_annotations(self):
        # BuildKit: "cannot export annotations with oci-mediatypes=false".
        p = {"os": "linux", "architecture": "amd64"}
        docker = "application/vnd.docker.distribution.manifest.v2+json"
        req = self.path("index-request.json")
        iwtest.write_json(req, {"manifests": [self.manifest_descriptor("a", p, docker)],
                                "mediaTypes": "docker", "annotations": {"org.example.k": "v"}})
        self.assert_fails(["index", "--request", req, "--index-out", os.path.join(self.out, "index.json")],
                          'a Docker manifest list cannot carry annotations (got 1, first "org.example.k")')
        entry = self.descriptor("b", mediaType=docker, platform=p, annotations={"org.example.e": "v"})
        self.index_fails([entry], "manifest 0", "cannot carry annotations on its entries", media_types="docker")

    def test_index_invalid_platform(self):
        self.index_fails([self.manifest_descriptor("a", {"os": "linux", "architecture": "AMD64"})],
                         "a.json.platform", "must be lowercase")


if __name__ == "__main__":
    unittest.main()
