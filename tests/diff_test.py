"""`imagewriter diff`: each pair of images differs in exactly one thing, and
the report must name that thing in one line (issue 16).

The images are written here, blob by blob, with Python's tarfile, gzip and
json, so that each pair differs in nothing but the one thing under test:
no tool of ours decides what the images hold. Attested layouts (issue 13)
add what `imagewriter attest` and `imagewriter index` write around such an
image, as oci_image(attestations, provenance) does.
"""
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import unittest

from tests import iwtest

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
IN_TOTO = "application/vnd.in-toto+json"
AMD64 = {"os": "linux", "architecture": "amd64"}

BIG = bytes((i * 7 + i // 251) % 256 for i in range(200000))


def entries(**changes):
    """The default layer's entries; `changes` replaces fields by path."""
    out = [
        {"name": "app", "type": tarfile.DIRTYPE, "mode": 0o755},
        {"name": "app/hello.txt", "data": b"hello\n", "mode": 0o644},
        {"name": "app/big.bin", "data": BIG, "mode": 0o644},
        {"name": "app/link", "type": tarfile.SYMTYPE, "linkname": "hello.txt"},
        {"name": "app/z.txt", "data": b"last\n", "mode": 0o600},
    ]
    for e in out:
        e.update(changes.get(e["name"], {}))
    return out


def tar_bytes(items):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in items:
            info = tarfile.TarInfo(e["name"])
            info.type = e.get("type", tarfile.REGTYPE)
            info.mode = e.get("mode", 0o644)
            info.mtime = e.get("mtime", 1700000000)
            info.linkname = e.get("linkname", "")
            info.uname = info.gname = "root"
            data = e.get("data", b"")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data else None)
    return buf.getvalue()


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


class Layout:
    """An OCI layout directory, written blob by blob."""

    def __init__(self, path, algorithm="sha256"):
        self.path = path
        self.algorithm = algorithm
        os.makedirs(os.path.join(path, "blobs", algorithm))
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(self, media_type, data):
        digest = hashlib.new(self.algorithm, data).hexdigest()
        with open(self.file(self.algorithm + ":" + digest), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": self.algorithm + ":" + digest, "size": len(data)}

    def file(self, digest):
        """The file of the blob `digest` names."""
        return os.path.join(self.path, "blobs", *digest.split(":", 1))

    def manifest(self, descriptor):
        return json.loads(iwtest.read(self.file(descriptor["digest"])))

    def image(self, layer=None, env=("PATH=/usr/bin", "A=1", "B=2"), created="2024-01-01T00:00:00Z",
              level=6, gzip_mtime=1, docker=False, arch="amd64"):
        tar = tar_bytes(layer if layer is not None else entries())
        blob = gzip.compress(tar, compresslevel=level, mtime=gzip_mtime)
        config = {
            "architecture": arch, "os": "linux",
            "config": {"Env": list(env), "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
            "history": [{"created": created, "created_by": "COPY app /app"}],
        }
        manifest = {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
            "config": self.blob(DOCKER_CONFIG if docker else OCI_CONFIG, compact(config)),
            "layers": [self.blob(DOCKER_GZIP if docker else OCI_GZIP, blob)],
        }
        return self.blob(manifest["mediaType"], compact(manifest))

    def index(self, children):
        return self.index_blob(compact({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children}))

    def index_blob(self, data):
        return self.blob(OCI_INDEX, data)

    def root(self, *descriptors):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            f.write(compact({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": list(descriptors)}).decode())
        return self.path


def first_difference(a, b):
    """The oracle for "first difference at byte N": Python's byte comparison."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


# libstdc++'s std::hash<std::string_view> on 64-bit (MurmurHash64A-like,
# fixed seed): the window hash diff once used to find where files differ.
# Its steps are invertible, so two different 64 KiB windows with the same
# hash are made by changing two words: this only builds a test input.
MASK = (1 << 64) - 1
MUL = 0xc6a4a7935bd1e995


def _shift_mix(v):
    return v ^ (v >> 47)


def _mix(word):
    return (_shift_mix((word * MUL) & MASK) * MUL) & MASK


def _unmix(value):
    inverse = pow(MUL, -1, 1 << 64)
    return (_shift_mix((value * inverse) & MASK) * inverse) & MASK


def _state(data, words):
    """The hash state after `words` 8-byte words of `data`."""
    h = 0xc70f6907 ^ ((len(data) * MUL) & MASK)
    for i in range(words):
        h = ((h ^ _mix(int.from_bytes(data[8 * i:8 * i + 8], "little"))) * MUL) & MASK
    return h


def std_hash(data):
    assert len(data) % 8 == 0
    return _shift_mix((_shift_mix(_state(data, len(data) // 8)) * MUL) & MASK)


def colliding_window(data, word):
    """`data` with words `word` and `word + 1` changed so that std_hash is the same."""
    h = _state(data, word)
    w0, w1 = (int.from_bytes(data[8 * i:8 * i + 8], "little") for i in (word, word + 1))
    new0 = w0 ^ 1
    new1 = _unmix(((h ^ _mix(w0)) * MUL) & MASK ^ ((h ^ _mix(new0)) * MUL) & MASK ^ _mix(w1))
    out = bytearray(data)
    out[8 * word:8 * word + 16] = new0.to_bytes(8, "little") + new1.to_bytes(8, "little")
    return bytes(out)


def tamper(path, offset):
    """Changes the byte at `offset` of a file, keeping its size; returns the new bytes."""
    data = bytearray(iwtest.read(path))
    data[offset] ^= 0x01
    with open(path, "wb") as f:
        f.write(data)
    return bytes(data)


class DiffCase(iwtest.ImagewriterTestCase):
    """Layouts and diff runs, for the test classes below."""

    def layout(self, name, **kwargs):
        lay = Layout(self.path(name))
        return lay.root(lay.image(**kwargs))

    def diff(self, a, b, *flags, expect=1):
        result = iwtest.run(["diff"] + list(flags) + [a, b])
        self.assertEqual(result.returncode, expect, result.stdout + result.stderr)
        return result

    def one_line(self, a, b):
        """The report of a pair that differs in one thing: its one line."""
        lines = self.diff(a, b).stdout.splitlines()
        self.assertEqual(len(lines), 1, lines)
        return lines[0]


class DiffTest(DiffCase):
    def test_identical(self):
        a = self.layout("a")
        b = self.layout("b")
        self.assertEqual(self.diff(a, b, expect=0).stdout, "identical\n")

    def test_file_mode(self):
        line = self.one_line(self.layout("a"), self.layout("b", layer=entries(**{"app/hello.txt": {"mode": 0o755}})))
        self.assertEqual(line, "layer layers[0] app/hello.txt: mode 0644 -> 0755")

    def test_mtime(self):
        line = self.one_line(self.layout("a"), self.layout("b", layer=entries(**{"app/z.txt": {"mtime": 1700000001}})))
        self.assertIn("layers[0] app/z.txt: mtime 1700000000", line)
        self.assertIn("-> 1700000001 (2023-11-14T22:13:21Z)", line)

    def test_env_entry(self):
        line = self.one_line(self.layout("a"), self.layout("b", env=("PATH=/usr/bin", "A=1", "B=3")))
        self.assertEqual(line, 'config .config.Env[2]: "B=2" -> "B=3"')

    def test_history_created(self):
        line = self.one_line(self.layout("a"), self.layout("b", created="2024-01-02T00:00:00Z"))
        self.assertEqual(line, 'config .history[0].created: "2024-01-01T00:00:00Z" -> "2024-01-02T00:00:00Z"')

    def test_gzip_level(self):
        line = self.one_line(self.layout("a", level=6), self.layout("b", level=1))
        self.assertIn("compression layers[0]: gzip header XFL 0 -> 4 (fastest)", line)
        line = self.one_line(self.layout("c", level=6), self.layout("d", level=3))
        self.assertIn("compression layers[0]: gzip stream 2526 bytes -> ", line)
        self.assertIn("another encoder or compression level", line)

    def test_gzip_mtime_header(self):
        line = self.one_line(self.layout("a", gzip_mtime=1), self.layout("b", gzip_mtime=1700000000))
        self.assertIn("compression layers[0]: gzip header MTIME 1 -> 1700000000", line)
        self.assertIn("header bytes 1f 8b 08 00 01 00 00 00", line)

    def test_reordered_entry(self):
        items = entries()
        items[1], items[2] = items[2], items[1]
        line = self.one_line(self.layout("a"), self.layout("b", layer=items))
        self.assertIn("layers[0]: entry order app/hello.txt at position 1 -> app/big.bin at position 1", line)

    def test_duplicate_paths_that_look_like_occurrence_keys(self):
        # A literal "x (occurrence 2)" entry and x twice: the suffix diff gives
        # the second x must not collide with the literal one (it once did, and
        # the two sides' orders differed in length: a read past the end).
        x = {"name": "x", "data": b"1\n"}
        lit = {"name": "x (occurrence 2)", "data": b"2\n"}
        a = self.layout("a", layer=[lit, x, dict(x)])
        b = self.layout("b", layer=[lit, x])
        lines = self.diff(a, b).stdout.splitlines()
        self.assertTrue(lines, "no report")
        self.assertTrue(any("only in A" in line for line in lines), lines)

    def test_reordered_layers(self):
        out = []
        for name, order in (("a", (0, 1)), ("b", (1, 0))):
            lay = Layout(self.path(name))
            layers = [lay.blob(OCI_GZIP, gzip.compress(tar_bytes(entries(**{"app/z.txt": {"mode": m}})), mtime=1))
                      for m in (0o600, 0o644)]
            config = lay.blob(OCI_CONFIG, compact({"architecture": "amd64", "os": "linux", "rootfs": {
                "type": "layers", "diff_ids": ["sha256:" + l["digest"][7:] for l in layers]}}))
            manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
                        "layers": [layers[i] for i in order]}
            out.append(lay.root(lay.blob(OCI_MANIFEST, compact(manifest))))
        line = self.one_line(*out)
        self.assertTrue(line.startswith("manifest .layers: order [sha256:"), line)
        self.assertTrue(line.endswith("(the same layers in another order)"), line)

    def test_content_first_offset(self):
        changed = bytearray(BIG)
        changed[150000] ^= 0xff
        line = self.one_line(self.layout("a"), self.layout("b", layer=entries(**{"app/big.bin": {"data": bytes(changed)}})))
        self.assertIn("layers[0] app/big.bin: content sha256:", line)
        self.assertIn("(first difference at byte 150000)", line)

    def test_added_removed_and_link(self):
        items = entries(**{"app/link": {"linkname": "z.txt"}})
        items.append({"name": "app/new.txt", "data": b"new\n"})
        del items[1]
        lines = self.diff(self.layout("a"), self.layout("b", layer=items)).stdout.splitlines()
        self.assertIn("layer layers[0] app/hello.txt: only in A", lines)
        self.assertIn("layer layers[0] app/new.txt: only in B", lines)
        self.assertIn('layer layers[0] app/link: link target "hello.txt" -> "z.txt"', lines)

    def index_pair(self, platform_b):
        out = []
        for name, platform in (("a", {"os": "linux", "architecture": "arm64"}), ("b", platform_b)):
            lay = Layout(self.path(name))
            amd = dict(lay.image(), platform={"os": "linux", "architecture": "amd64"})
            arm = dict(lay.image(arch="arm64"), platform=platform)
            out.append(lay.root(lay.index([amd, arm])))
        return out

    def test_platform_in_index(self):
        a, b = self.index_pair({"os": "linux", "architecture": "arm64", "variant": "v8"})
        self.assertEqual(self.one_line(a, b), "index .manifests: platform linux/arm64 -> linux/arm64/v8")

    def test_index_descends_by_platform(self):
        a_lay = Layout(self.path("a"))
        b_lay = Layout(self.path("b"))
        plat = {"os": "linux", "architecture": "amd64"}
        a = a_lay.root(a_lay.index([dict(a_lay.image(), platform=plat)]))
        b = b_lay.root(b_lay.index([dict(b_lay.image(env=("PATH=/bin",)), platform=plat)]))
        lines = self.diff(a, b).stdout.splitlines()
        self.assertIn('linux/amd64: config .config.Env[0]: "PATH=/usr/bin" -> "PATH=/bin"', lines)

    def test_index_against_manifest(self):
        a = self.layout("a")
        lay = Layout(self.path("b"))
        child = dict(lay.image(env=("PATH=/bin", "A=1", "B=2")), platform={"os": "linux", "architecture": "amd64"})
        b = lay.root(lay.index([child]))
        lines = self.diff(a, b).stdout.splitlines()
        self.assertEqual(lines, [
            "index .: root a manifest -> an index (the index lists 1 manifests)",
            'linux/amd64: config .config.Env[0]: "PATH=/usr/bin" -> "PATH=/bin"',
        ])

    def test_manifest_annotations_named_digest_count(self):
        """Only descriptors' digest and size are left to what they point to."""
        out = []
        for name, value in (("a", "1"), ("b", "2")):
            lay = Layout(self.path(name))
            manifest = json.loads(iwtest.read(os.path.join(lay.path, "blobs", "sha256", lay.image()["digest"][7:])))
            manifest["annotations"] = {"digest": value}
            out.append(lay.root(lay.blob(OCI_MANIFEST, compact(manifest))))
        self.assertEqual(self.one_line(*out), 'manifest .annotations.digest: "1" -> "2"')

    def test_docker_archive_vs_oci_layout(self):
        oci = self.layout("oci")
        docker = self.layout("docker", docker=True)
        archive = self.path("docker.tar")
        self.ok(["archive", "--layout", docker, "--output", archive, "--format", "docker", "--tag", "x:1"])
        lines = self.diff(oci, archive).stdout.splitlines()
        self.assertEqual(lines[0], "same image, different media types:")
        self.assertEqual(lines[1:], [
            'media-type .mediaType: "%s" -> "%s"' % (OCI_MANIFEST, DOCKER_MANIFEST),
            'media-type .config.mediaType: "%s" -> "%s"' % (OCI_CONFIG, DOCKER_CONFIG),
            'media-type .layers[0].mediaType: "%s" -> "%s"' % (OCI_GZIP, DOCKER_GZIP),
        ])

    def test_docker_save_without_index(self):
        """manifest.json alone (docker save before 25) reads as Docker media types."""
        docker = self.layout("docker", docker=True)
        archive = self.path("docker.tar")
        self.ok(["archive", "--layout", docker, "--output", archive, "--format", "docker", "--tag", "x:1"])
        old = self.path("old.tar")
        with tarfile.open(archive) as src, tarfile.open(old, "w") as dst:
            for member in src.getmembers():
                if member.name not in ("index.json", "oci-layout"):
                    dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        self.diff(archive, old, expect=0)
        self.diff(archive, old + ":1", expect=0)

    def test_tags_and_digests(self):
        lay = Layout(self.path("two"))
        v1 = dict(lay.image(), annotations={"org.opencontainers.image.ref.name": "v1"})
        v2 = dict(lay.image(created="2025-01-01T00:00:00Z"), annotations={"org.opencontainers.image.ref.name": "v2"})
        path = lay.root(v1, v2)
        line = self.one_line(path + ":v1", path + ":v2")
        self.assertIn(".history[0].created", line)
        self.diff(path + ":v1", path + "@" + v1["digest"], expect=0)
        self.assertIn("lists 2 images", self.diff(path, path + ":v1", expect=2).stderr)

    def test_json_report(self):
        result = self.diff(self.layout("a"), self.layout("b", env=("X=1",)), "--json")
        report = json.loads(result.stdout)
        self.assertFalse(report["identical"])
        paths = [d["subject"] for d in report["differences"]]
        self.assertEqual(paths, [".config.Env[0]", ".config.Env[1]", ".config.Env[2]"])
        self.assertEqual(report["differences"][1]["b"], "(absent)")

    def test_errors_exit_2(self):
        good = self.layout("a")
        junk = self.path("junk.tar")
        with open(junk, "wb") as f:
            f.write(b"not a tar at all" * 100)
        # A layer that differs from A's, so that it is read, cut in half.
        broken = self.layout("broken", layer=entries(**{"app/z.txt": {"mode": 0o644}}))
        manifest = json.loads(iwtest.read(os.path.join(broken, "index.json")))["manifests"][0]
        m = json.loads(iwtest.read(os.path.join(broken, "blobs", "sha256", manifest["digest"][7:])))
        layer = os.path.join(broken, "blobs", "sha256", m["layers"][0]["digest"][7:])
        data = iwtest.read(layer)
        with open(layer, "wb") as f:
            f.write(data[:len(data) // 2])
        for args, message in [
            ([good, self.path("missing")], "missing"),
            ([good, junk], "junk.tar"),
            ([good, broken], "broken"),
            ([good], "exactly two images"),
            (["--frobnicate", good, good], "unknown flag"),
            ([good, good + ":nosuchtag"], "no image tagged"),
        ]:
            result = iwtest.run(["diff"] + args)
            self.assertEqual(result.returncode, 2, (args, result.stdout, result.stderr))
            self.assertIn("imagewriter diff: error:", result.stderr)
            self.assertIn(message, result.stderr)
            self.assertEqual(result.stdout, "")

    def test_hostile_indexes(self):
        """Many entries naming the same pair are compared once; nesting is bounded."""
        paths = []
        for name, env in (("a", ("A=1",)), ("b", ("A=2",))):
            lay = Layout(self.path(name))
            child = lay.image(env=env)
            paths.append(lay.root(lay.index([lay.index([child] * 5000)] * 5000)))
        lines = self.diff(*paths).stdout.splitlines()
        self.assertEqual(lines, ['config .config.Env[0]: "A=1" -> "A=2"'])
        deep = []
        for name, env in (("c", ("A=1",)), ("d", ("A=2",))):
            lay = Layout(self.path(name))
            node = lay.image(env=env)
            for _ in range(12):
                node = lay.index([node])
            deep.append(lay.root(node))
        self.assertIn("nesting deeper than 8", self.diff(*deep, expect=2).stderr)

    def attested(self, name, sbom_name="hello", **image):
        """An image with an SBOM statement and provenance, in BuildKit's form: an
        index of the image (platform linux/amd64) and its attestation manifest."""
        lay = Layout(self.path(name))
        files = lambda *parts: self.path(name + ".files", *parts)  # noqa: E731
        os.makedirs(files())
        image_desc = dict(lay.image(**image), platform=AMD64)
        manifest = json.loads(iwtest.read(os.path.join(lay.path, "blobs", "sha256", image_desc["digest"][7:])))
        iwtest.write_json(files("image.json"), image_desc)
        iwtest.write_json(files("layer.json"), manifest["layers"][0])
        iwtest.write_json(files("sbom.json"), {
            "_type": "https://in-toto.io/Statement/v1", "predicateType": "https://spdx.dev/Document",
            "predicate": {"spdxVersion": "SPDX-2.3", "name": sbom_name}})
        iwtest.write_json(files("attest.json"), {
            "subject": files("image.json"), "statements": [files("sbom.json")],
            "provenance": {"target": "//app:image", "builderId": "urn:example:ci",
                           "dependencies": [{"name": "layer 0", "descriptorFile": files("layer.json")}]}})
        outs = {n: files(n + ".out") for n in ("s0", "s1", "config", "manifest", "descriptor")}
        self.ok(["attest", "--request", files("attest.json"), "--statement-out", outs["s0"],
                 "--statement-out", outs["s1"], "--config-out", outs["config"],
                 "--manifest-out", outs["manifest"], "--descriptor-out", outs["descriptor"]])
        for n in ("s0", "s1", "config", "manifest"):
            lay.blob("", iwtest.read(outs[n]))
        iwtest.write_json(files("index.json"), {"manifests": [files("image.json")],
                                                "attestations": [outs["descriptor"]], "mediaTypes": "oci"})
        self.ok(["index", "--request", files("index.json"), "--index-out", files("index.out")])
        return lay.root(lay.index_blob(iwtest.read(files("index.out"))))

    def test_attested_images_differ_in_env(self):
        """The attestations differ only in what they attest: not reported."""
        a = self.attested("a")
        b = self.attested("b", env=("PATH=/usr/bin", "A=1", "B=3"))
        self.assertEqual(self.one_line(a, b), 'linux/amd64: config .config.Env[2]: "B=2" -> "B=3"')
        self.diff(a, self.attested("a2"), expect=0)

    def test_attested_statements_differ(self):
        line = self.one_line(self.attested("a"), self.attested("b", sbom_name="bye"))
        self.assertEqual(line, 'attestation of linux/amd64: layer layers[0] .predicate.name: "hello" -> "bye" '
                               '(%s, predicate https://spdx.dev/Document)' % IN_TOTO)

    def test_attested_against_plain(self):
        """The attestation manifest is only in A, whether B is the bare manifest
        (an oci_image without attestations) or an index of it alone."""
        a = self.attested("a")
        plain = self.layout("plain")
        lines = self.diff(a, plain).stdout.splitlines()
        self.assertEqual(lines[0], "index .: root an index -> a manifest (the index lists 2 manifests)")
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(lines[1].startswith("index .manifests: attestation of linux/amd64 (only in A: sha256:"),
                        lines)
        lay = Layout(self.path("alone"))
        alone = lay.root(lay.index([dict(lay.image(), platform=AMD64)]))
        lines = self.diff(a, alone).stdout.splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("index .manifests: attestation of linux/amd64 (only in A: sha256:"),
                        lines)
        self.assertIn("only in B", self.diff(alone, a).stdout)

    def test_non_tar_layers_by_digest(self):
        """A layer of another media type that is not JSON is compared by digest."""
        out = []
        for name, data in (("a", b"\x00wasm 1"), ("b", b"\x00wasm 2")):
            lay = Layout(self.path(name))
            config = lay.blob("application/vnd.oci.empty.v1+json", b"{}")
            manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
                        "layers": [lay.blob("application/wasm", data)]}
            out.append(lay.root(lay.blob(OCI_MANIFEST, compact(manifest))))
        line = self.one_line(*out)
        self.assertTrue(line.startswith("layer layers[0]: digest sha256:"), line)
        self.assertTrue(line.endswith("(application/wasm: not JSON, compared by digest)"), line)

    def test_max_size(self):
        a = self.layout("a")
        b = self.layout("b", layer=entries(**{"app/z.txt": {"mode": 0o644}}))
        result = self.diff(a, b, "--max-size", "1000", expect=2)
        self.assertIn("--max-size", result.stderr)

    def test_max_ratio(self):
        """A layer that inflates 1000:1 past 64 MiB stops at --max-ratio 10."""
        a = self.layout("a")
        b = self.layout("b", layer=[{"name": "zeros", "data": bytes(70 << 20)}], level=1)
        result = self.diff(a, b, "--max-ratio", "10", expect=2)
        self.assertIn("limits: --max-size, --max-ratio", result.stderr)
        self.assertEqual(result.stdout, "")


class ContentOffsetTest(DiffCase):
    """"first difference at byte N" is checked against Python's byte comparison."""

    WINDOW = 64 << 10

    def offset(self, a_data, b_data):
        a = self.layout("a%d" % len(os.listdir(self.dir)), layer=entries(**{"app/big.bin": {"data": a_data}}))
        b = self.layout("b%d" % len(os.listdir(self.dir)), layer=entries(**{"app/big.bin": {"data": b_data}}))
        line = self.one_line(a, b)
        self.assertIn("layers[0] app/big.bin: content sha256:" + hashlib.sha256(a_data).hexdigest(), line)
        found = re.search(r"first difference at byte (\d+)\)$", line)
        self.assertTrue(found, line)
        return int(found.group(1))

    def test_window_hash_collision(self):
        """Window 0 differs at byte 800 but hashed the same under std::hash;
        window 2 differs plainly. The first difference is byte 800."""
        data = bytes((i * 31 + i // 509) % 256 for i in range(4 * self.WINDOW))
        first = colliding_window(data[:self.WINDOW], 100)
        self.assertNotEqual(first, data[:self.WINDOW])
        self.assertEqual(std_hash(first), std_hash(data[:self.WINDOW]))
        changed = bytearray(first + data[self.WINDOW:])
        changed[2 * self.WINDOW + 77] ^= 0xff
        self.assertEqual(first_difference(data, changed), 800)
        self.assertEqual(self.offset(data, bytes(changed)), 800)

    def test_offsets_at_edges(self):
        data = bytes((i * 13 + i // 97) % 256 for i in range(3 * self.WINDOW + 1000))
        cases = []
        for at in (0, self.WINDOW - 1, self.WINDOW, 3 * self.WINDOW + 999):
            changed = bytearray(data)
            changed[at] ^= 0x80
            cases.append(bytes(changed))
        cases += [data[:100000], data[:3 * self.WINDOW], data + b"tail", data[:-1] + b"\0\0"]
        for changed in cases:
            self.assertEqual(self.offset(data, changed), first_difference(data, changed))


class BlobDigestTest(iwtest.ImagewriterTestCase):
    """A blob diff reads must be what its descriptor's digest says: otherwise
    the report would explain bytes that are not the image. Each case changes
    one byte of a blob, keeping its size and name; hashlib says what the
    bytes hash to now."""

    def tampered(self, a, b, path, claimed):
        """diff A B and diff B A fail on the blob at `path`, naming it and both digests."""
        algorithm = claimed.split(":")[0]
        actual = algorithm + ":" + hashlib.new(algorithm, iwtest.read(path)).hexdigest()
        for args in ([a, b], [b, a]):
            result = iwtest.run(["diff"] + args)
            self.assertEqual(result.returncode, 2, (args, result.stdout, result.stderr))
            self.assertEqual(result.stdout, "")
            self.assertIn("imagewriter diff: error: " + path + ": content hashes to " + actual, result.stderr)
            self.assertIn("not to " + claimed, result.stderr)
        return result.stderr

    def test_config_same_image(self):
        """The same image on both sides but B's config changed: not "identical"."""
        a = Layout(self.path("a"))
        a_root = a.root(a.image())
        b = Layout(self.path("b"))
        b_root = b.root(b.image())
        config = b.manifest(json.loads(iwtest.read(os.path.join(b_root, "index.json")))["manifests"][0])["config"]
        data = iwtest.read(b.file(config["digest"]))
        tamper(b.file(config["digest"]), data.index(b"A=1") + 2)
        self.tampered(a_root, b_root, b.file(config["digest"]), config["digest"])

    def test_sha512_manifest(self):
        """sha512 digests are checked too: B's manifest annotation changed."""
        roots, files = [], []
        for name in ("a", "b"):
            lay = Layout(self.path(name), "sha512")
            manifest = lay.manifest(lay.image())
            manifest["annotations"] = {"note": "1"}
            desc = lay.blob(OCI_MANIFEST, compact(manifest))
            roots.append(lay.root(desc))
            files.append((lay.file(desc["digest"]), desc["digest"]))
        self.diff_ok(roots[0], roots[1], 0)
        path, claimed = files[1]
        tamper(path, iwtest.read(path).index(b'"note":"1"') + 8)
        self.tampered(roots[0], roots[1], path, claimed)

    def test_manifest_chosen_by_digest(self):
        """PATH@DIGEST names a manifest index.json does not list: a changed
        byte (here one that breaks its JSON) is still the digest's error."""
        a = Layout(self.path("a"))
        a_root = a.root(a.image())
        b = Layout(self.path("b"))
        desc = b.image()
        b_root = b.root(b.index([desc]))
        tamper(b.file(desc["digest"]), 0)
        self.tampered(a_root, b_root + "@" + desc["digest"], b.file(desc["digest"]), desc["digest"])

    def test_sha512_layout_compares(self):
        """A sha512 layout is read and compared as a sha256 one is."""
        a = Layout(self.path("a"), "sha512")
        b = Layout(self.path("b"), "sha512")
        layer = entries(**{"app/hello.txt": {"mode": 0o755}})
        result = self.diff_ok(a.root(a.image()), b.root(b.image(layer=layer, env=("X=1",))), 1)
        self.assertIn("layer layers[0] app/hello.txt: mode 0644 -> 0755", result.stdout.splitlines())
        self.assertIn('config .config.Env[0]: "PATH=/usr/bin" -> "X=1"', result.stdout.splitlines())

    def layer_pair(self, offset, **b_image):
        """A and B (B's image made with `b_image`), B's layer changed at `offset`
        (negative: from the end); returns (A, B, B's layer file, its digest)."""
        a = Layout(self.path("a"))
        b = Layout(self.path("b"))
        desc = b.image(**b_image)
        layer = b.manifest(desc)["layers"][0]["digest"]
        path = b.file(layer)
        tamper(path, offset % os.path.getsize(path))
        return a.root(a.image()), b.root(desc), path, layer

    def test_layer_gzip_header(self):
        """MTIME is outside gzip's CRC: the tar still reads, so the tampered
        layer was compared and its mode reported."""
        a, b, path, digest = self.layer_pair(4, layer=entries(**{"app/hello.txt": {"mode": 0o755}}))
        self.tampered(a, b, path, digest)

    def test_layer_deflate_byte(self):
        """A changed byte in the deflate stream breaks the codec first; the
        error is still the digest, the cause, not the codec's."""
        a, b, path, digest = self.layer_pair(len(BIG) // 100, layer=entries(**{"app/hello.txt": {"mode": 0o755}}))
        self.assertNotIn("gzip", self.tampered(a, b, path, digest))

    def test_layer_compression_only(self):
        """The same tar compressed otherwise: only the headers are compared,
        but the whole blob is checked."""
        a, b, path, digest = self.layer_pair(-5, level=1)
        self.tampered(a, b, path, digest)

    def docker_save(self, name, rename=None):
        """A docker-archive as `docker save` wrote before Docker 25 (no
        index.json); `rename` maps file names to others."""
        layout = Layout(self.path(name + ".layout"))
        layout.root(layout.image(docker=True))
        archive = self.path(name + ".new.tar")
        self.ok(["archive", "--layout", layout.path, "--output", archive, "--format", "docker", "--tag", "x:1"])
        rename = rename or {}
        old = self.path(name + ".tar")
        with tarfile.open(archive) as src, tarfile.open(old, "w") as dst:
            manifest = json.loads(src.extractfile("manifest.json").read())
            for image in manifest:
                image["Config"] = rename.get(image["Config"], image["Config"])
                image["Layers"] = [rename.get(n, n) for n in image["Layers"]]
            for member in src.getmembers():
                if member.name in ("index.json", "oci-layout"):
                    continue
                data = src.extractfile(member).read() if member.isfile() else None
                if member.name == "manifest.json":
                    data = compact(manifest)
                    member.size = len(data)
                member.name = rename.get(member.name, member.name)
                dst.addfile(member, io.BytesIO(data) if data is not None else None)
        return old, manifest[0]

    def tamper_member(self, archive, name, offset):
        """A copy of `archive` with one byte of `name` changed; returns its path
        and what the member now hashes to."""
        out = archive[:-4] + ".tampered.tar"
        with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
            for member in src.getmembers():
                data = src.extractfile(member).read() if member.isfile() else None
                if member.name == name:
                    data = bytearray(data)
                    data[offset] ^= 0x01
                    changed = bytes(data)
                dst.addfile(member, io.BytesIO(data) if data is not None else None)
        return out, changed

    def test_docker_archive_layer(self):
        """A docker-archive's layer named blobs/sha256/<hex> was taken to be
        that digest: a changed byte read "identical"."""
        archive, manifest = self.docker_save("a")
        layer = manifest["Layers"][0]
        self.assertTrue(layer.startswith("blobs/sha256/"), layer)
        tampered, data = self.tamper_member(archive, layer, 4)
        for args in ([archive, tampered], [tampered, archive]):
            result = iwtest.run(["diff"] + args)
            self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
            self.assertIn("%s: %s: content hashes to sha256:%s, not to sha256:%s" % (
                tampered, layer, hashlib.sha256(data).hexdigest(), layer.split("/")[2]), result.stderr)

    def test_docker_archive_config(self):
        archive, manifest = self.docker_save("a")
        config = manifest["Config"]
        tampered, data = self.tamper_member(archive, config, 3)
        result = iwtest.run(["diff", archive, tampered])
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("%s: %s: content hashes to sha256:%s, not to sha256:%s" % (
            tampered, config, hashlib.sha256(data).hexdigest(), config.split("/")[2]), result.stderr)

    def test_docker_archive_unnamed_digests(self):
        """Names that claim no digest (docker save before 25: <id>/layer.tar):
        the digests are the bytes', so a changed layer is a difference."""
        _, manifest = self.docker_save("probe")
        rename = {manifest["Layers"][0]: "0123/layer.tar", manifest["Config"]: "0123.json"}
        archive, _ = self.docker_save("a", rename)
        tampered, _ = self.tamper_member(archive, "0123/layer.tar", 4)
        line = self.diff_ok(archive, tampered, 1).stdout.splitlines()
        self.assertEqual(len(line), 1, line)
        self.assertIn("compression layers[0]: gzip header MTIME", line[0])

    def diff_ok(self, a, b, expect):
        result = iwtest.run(["diff", a, b])
        self.assertEqual(result.returncode, expect, result.stdout + result.stderr)
        return result


if __name__ == "__main__":
    unittest.main()
