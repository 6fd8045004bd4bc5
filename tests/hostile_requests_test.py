"""Hostile and mistaken requests and flags (issue 12, items 7 and 8).

Protobuf's JSON parser alone would accept several of these silently (a
"yes" for a bool, a lone string for a list, a quoted integer), and a base
of the wrong platform used to be taken as it was. Each case must fail with
one error line naming the input and the field, and leave no output behind.
"""
import json
import os
import unittest

from tests import iwtest

HELLO_TAR = os.path.join(iwtest.TESTDATA, "layers", "hello.tar")
APP = HELLO_TAR  # Any regular file will do as a file entry.


class HostileRequestsTest(iwtest.ImagewriterTestCase):
    def setUp(self):
        super().setUp()
        self.out = self.path("out")
        os.mkdir(self.out)

    def fails(self, args, *expected, env=None):
        result = iwtest.run(args, cwd=self.dir, env=env)
        self.assertNotEqual(result.returncode, 0, "expected failure of %s" % args)
        lines = result.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, "expected one error line, got: %r" % result.stderr)
        for text in expected:
            self.assertIn(text, lines[0])
        self.assertEqual(os.listdir(self.out), [], "outputs left behind after a failure")
        return lines[0]

    def image_args(self, req):
        return ["image", "--request", req] + [
            "--%s-out" % k + "=" + os.path.join(self.out, k) for k in ("config", "manifest", "descriptor", "digest")]

    def write(self, name, raw):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(raw if isinstance(raw, bytes) else json.dumps(raw).encode())
        return path

    def image_fails(self, request, *expected, env=None):
        req = self.write("req.json", request)
        return self.fails(self.image_args(req), req, *expected, env=env)

    def files_fails(self, request, *expected):
        req = self.write("files.json", request)
        return self.fails(["layer", "--files", req, "--output", os.path.join(self.out, "blob")], req, *expected)

    # --- types: what protobuf's JSON parser would have let through ---------

    def test_bool_given_as_a_string(self):
        self.image_fails({"dropEmptyLayers": "yes"}, "dropEmptyLayers: expected true or false, got a string")
        self.files_fails({"entries": [{"path": "a", "file": APP, "executable": "yes"}]},
                         "entries[0].executable: expected true or false, got a string")

    def test_repeated_field_given_as_a_string(self):
        self.image_fails({"env": "A=1"}, "env: expected an array, got a string")
        self.image_fails({"entrypoint": {"values": "/bin/sh"}}, "entrypoint.values: expected an array, got a string")

    def test_wrong_types_in_nested_and_map_fields(self):
        self.image_fails({"layers": [{"descriptorFile": 1}]},
                         "layers[0].descriptorFile: expected a string, got a number")
        self.image_fails({"labels": {"a": 1}}, "labels.a: expected a string, got a number")
        self.image_fails({"layers": ["x"]}, "layers[0]: expected a JSON object, got a string")
        self.files_fails({"mtime": "5"}, "mtime: expected an integer, got a string")
        self.files_fails({"mtime": 1.5}, "mtime: 1.5 is not an integer in the int64 range")

    def test_unknown_and_repeated_fields(self):
        self.image_fails({"layers": [{"descriptorFile": "d", "diffIdFile": "x", "size": 1}]},
                         "layers[0].size: unknown field of LayerRef")
        self.image_fails({"base_config": "a", "baseConfig": "b"}, 'baseConfig: field "base_config" given twice')

    def test_root_must_be_an_object(self):
        self.image_fails(b"null", "invalid request: expected a JSON object, got null")
        self.image_fails(b"[]", "invalid request: expected a JSON object, got an array")
        self.files_fails(b"[{}]", "invalid request: expected a JSON object, got an array")

    def test_nul_in_a_path(self):
        self.files_fails({"entries": [{"path": "a\u0000b", "file": APP}]},
                         "entries[0].path: contains a NUL character")
        self.files_fails({"entries": [{"path": "a", "file": APP + "\u0000.txt"}]},
                         "entries[0].file: contains a NUL character")
        self.image_fails({"baseConfig": "base\u0000.json"}, "baseConfig: contains a NUL character")

    # --- values --------------------------------------------------------------

    def test_source_date_epoch_errors_name_the_request(self):
        self.image_fails({"sourceDateEpoch": "yesterday"}, "source_date_epoch", 'invalid SOURCE_DATE_EPOCH "yesterday"')
        self.image_fails({}, "SOURCE_DATE_EPOCH from the environment", 'invalid SOURCE_DATE_EPOCH "-1"',
                         env={"SOURCE_DATE_EPOCH": "-1"})
        self.image_fails({"created": "99999999999999"}, "created", 'invalid SOURCE_DATE_EPOCH "99999999999999"')

    def test_platform_with_an_empty_variant(self):
        self.image_fails({"platform": "linux/amd64/"}, 'invalid platform "linux/amd64/"', "variant", "empty")

    def test_owner_ids_above_32_bits(self):
        entries = [{"path": "a", "file": APP}]
        self.files_fails({"entries": entries, "owner": "4294967296:0"}, '"4294967296:0": uid above 4294967295')
        self.files_fails({"entries": entries, "owner": "0:18446744073709551615"}, "gid above 4294967295")
        result = iwtest.run(["layer", "--files", self.write("ok.json", {"entries": entries, "owner": "4294967295:0"}),
                             "--output", self.path("ok.blob")])
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_empty_flag_value_names_the_flag(self):
        self.fails(["layer", "--input", HELLO_TAR, "--output", ""], "flag --output has an empty value")
        self.fails(["layer", "--input", HELLO_TAR, "--output="], "flag --output has an empty value")
        self.fails(["layer", "--input", "", "--output", os.path.join(self.out, "b")], "flag --input has an empty value")

    # --- base platform (item 8) ----------------------------------------------

    def amd64_layout(self):
        """A single linux/amd64 image (no index) in a layout, made with the CLI."""
        desc, diff, blob = self.layer("l", HELLO_TAR)
        out = self.image("img", {"platform": "linux/amd64", "layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        layout = self.path("layout")
        self.ok(["layout", "--out", layout, "--root", out["descriptor"], "--metadata", out["config"],
                 "--metadata", out["manifest"], "--blob", "%s=%s" % (desc, blob)])
        return layout

    def base_args(self, layout, platform):
        return ["base", "--source", layout, "--platform", platform] + [
            "--%s-out=%s" % (k, os.path.join(self.out, k)) for k in ("config", "manifest", "descriptor")]

    def test_base_of_another_platform_is_refused(self):
        layout = self.amd64_layout()
        self.fails(self.base_args(layout, "linux/arm64"), layout,
                   "a single-platform image for linux/amd64, not linux/arm64 as requested")
        self.fails(self.base_args(layout, "linux/amd64/v2"), "for linux/amd64, not linux/amd64/v2")
        # The same image through a docker archive, and through `archive`.
        archive = self.path("hello.tar")
        self.ok(["archive", "--layout", layout, "--output", archive])
        self.fails(self.base_args(archive, "linux/arm64"), "hello.tar", "for linux/amd64, not linux/arm64")
        self.fails(["archive", "--layout", layout, "--output", os.path.join(self.out, "a.tar"),
                    "--platform", "linux/arm64"], "for linux/amd64, not linux/arm64")
        # Its own platform is fine.
        self.ok(self.base_args(layout, "linux/amd64"))

    def test_image_platform_must_be_the_base_configs(self):
        # What the rules do for oci_image(base = <an oci_image>, architecture = ...).
        base = self.write("base.json", {"architecture": "amd64", "os": "linux",
                                        "rootfs": {"type": "layers", "diff_ids": []}})
        self.image_fails({"baseConfig": base, "platform": "linux/arm64"},
                         "platform linux/arm64 is not the platform of the base config", base, "linux/amd64")
        self.ok(self.image_args(self.write("ok.json", {"baseConfig": base, "platform": "linux/amd64"})))


if __name__ == "__main__":
    unittest.main()
