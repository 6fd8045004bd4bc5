"""Blobs named by sha512 are checked like sha256 ones (OCI image-spec
registers both): a layout whose index, manifest, config and layers all use
sha512 descriptors verifies, archives and serves as a base; a tampered
sha512 blob is refused by verify, archive and base; an unregistered
algorithm is refused by name.

Every layout here is written with Python alone, and every output is read
back with hashlib and tarfile, so nothing of imagewriter judges itself.
Sha512SkopeoTest (target sha512_skopeo_test) adds skopeo as a reader. The
skopeo 1.9 of Debian hashes OCI manifests, configs and blobs as sha256
only, so it refuses any sha512 descriptor in an oci: layout or an
oci-archive; it reads a docker-archive by paths, which it accepts.
"""
import gzip
import hashlib
import io
import json
import os
import tarfile
import unittest

from tests import iwtest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
TAR = "application/vnd.oci.image.layer.v1.tar"
TAR_GZIP = TAR + "+gzip"


def hexdigest(algorithm, data):
    return hashlib.new(algorithm, data).hexdigest()


def tar_of(files):
    """A ustar tar of {name: bytes}, in order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


class Sha512Case(iwtest.ImagewriterTestCase):
    """Layouts of sha512 blobs, written by hand, and the checks on them."""

    def write_blob(self, layout, data, media_type, algorithm="sha512"):
        directory = os.path.join(layout, "blobs", algorithm)
        os.makedirs(directory, exist_ok=True)
        encoded = hexdigest(algorithm, data)
        with open(os.path.join(directory, encoded), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "%s:%s" % (algorithm, encoded), "size": len(data)}

    def layout(self, name="layout", diff_id_algorithm="sha256", manifest_algorithm="sha512"):
        """An OCI layout with a plain and a gzip layer, whose config and
        layers are sha512, and (by default) its manifest and inner index."""
        layout = self.path(name)
        os.makedirs(layout)
        plain = tar_of({"etc/plain": b"plain layer\n"})
        gzipped_tar = tar_of({"etc/gzipped": b"gzip layer\n" * 100})
        layers = [self.write_blob(layout, plain, TAR),
                  self.write_blob(layout, gzip.compress(gzipped_tar, mtime=0), TAR_GZIP)]
        diff_ids = ["%s:%s" % (diff_id_algorithm, hexdigest(diff_id_algorithm, t)) for t in (plain, gzipped_tar)]
        config = {"architecture": "amd64", "os": "linux",
                  "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
                  "history": [{"created_by": "plain"}, {"created_by": "gzip"}],
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        config_d = self.write_blob(layout, json.dumps(config).encode(), OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_d, "layers": layers}
        manifest_d = self.write_blob(layout, json.dumps(manifest).encode(), OCI_MANIFEST, manifest_algorithm)
        manifest_d["platform"] = {"architecture": "amd64", "os": "linux"}
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [manifest_d]}
        index_d = self.write_blob(layout, json.dumps(index).encode(), OCI_INDEX, manifest_algorithm)
        index_d["annotations"] = {"org.opencontainers.image.ref.name": "1.0"}
        iwtest.write_json(os.path.join(layout, "index.json"),
                          {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [index_d]})
        with open(os.path.join(layout, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.descriptors = {"index": index_d, "manifest": manifest_d, "config": config_d, "layers": layers}
        return layout

    def blob_path(self, layout, descriptor):
        algorithm, encoded = descriptor["digest"].split(":")
        return os.path.join(layout, "blobs", algorithm, encoded)

    def tamper(self, layout, descriptor):
        """Flips one byte of a blob; its size stays what its descriptor says."""
        path = self.blob_path(layout, descriptor)
        data = bytearray(iwtest.read(path))
        data[len(data) // 2] ^= 0x01
        with open(path, "wb") as f:
            f.write(data)

    def fails(self, args, *expected):
        result = iwtest.run(args)
        self.assertNotEqual(result.returncode, 0, "imagewriter %s accepted it" % args)
        lines = result.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, result.stderr)
        for text in expected:
            self.assertIn(text, lines[0])

    def archive(self, layout, fmt, out=None):
        out = out or self.path("archive-%s.tar" % fmt)
        self.ok(["archive", "--layout", layout, "--output", out, "--format", fmt, "--tag", "example.com/x:1"])
        return out

    def check_archive_blobs(self, path):
        """Every blob of the archive hashes, by Python, to its name; returns
        the archive's regular files by name."""
        with tarfile.open(path) as tar:
            files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isreg()}
        for name, data in files.items():
            if name.startswith("blobs/"):
                _, algorithm, encoded = name.split("/")
                self.assertEqual(hexdigest(algorithm, data), encoded, name)
        return files

    def docker_only(self, archive, tamper=None):
        """The docker archive without its OCI index: verify reads manifest.json
        alone. `tamper` names a member whose middle byte is flipped."""
        out = self.path("docker-only.tar")
        with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
            for member in src.getmembers():
                if member.name in ("index.json", "oci-layout"):
                    continue
                data = src.extractfile(member).read() if member.isreg() else None
                if member.name == tamper:
                    data = bytearray(data)
                    data[len(data) // 2] ^= 0x01
                dst.addfile(member, io.BytesIO(data) if data is not None else None)
        return out

    def base(self, source, platform="linux/amd64"):
        out = {k: self.path("base." + k) for k in ("config", "manifest", "descriptor")}
        args = ["base", "--source", source, "--config-out", out["config"], "--manifest-out", out["manifest"],
                "--descriptor-out", out["descriptor"], "--platform", platform]
        return args, out


class Sha512Test(Sha512Case):
    def test_sha512_layout_verifies(self):
        result = self.ok(["verify", self.layout()])
        self.assertIn("1 manifests, 2 layers", result.stdout)
        # A sha256 manifest over a sha512 config and layers.
        result = self.ok(["verify", self.layout("mixed", manifest_algorithm="sha256")])
        self.assertIn("1 manifests, 2 layers", result.stdout)

    def test_sha512_diff_ids_verify_and_a_wrong_one_is_named(self):
        self.ok(["verify", self.layout(diff_id_algorithm="sha512")])
        layout = self.layout("wrong-diff-id", diff_id_algorithm="sha512")
        config_path = self.blob_path(layout, self.descriptors["config"])
        config = json.loads(iwtest.read(config_path))
        wrong = "sha512:" + "0" * 128
        config["rootfs"]["diff_ids"][1] = wrong
        # A consistent layout around the wrong diffID: only that is at fault.
        os.remove(config_path)
        config_d = self.write_blob(layout, json.dumps(config).encode(), OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_d,
                    "layers": self.descriptors["layers"]}
        iwtest.write_json(os.path.join(layout, "index.json"), {"schemaVersion": 2, "manifests": [
            self.write_blob(layout, json.dumps(manifest).encode(), OCI_MANIFEST)]})
        self.fails(["verify", layout], "does not match rootfs.diff_ids[1] " + wrong)

    def test_sha512_layout_archives(self):
        layout = self.layout()
        d = self.descriptors
        oci = self.check_archive_blobs(self.archive(layout, "oci"))
        index = json.loads(oci["index.json"])
        self.assertEqual(index["manifests"][0]["digest"], d["index"]["digest"])
        for descriptor in [d["index"], d["manifest"], d["config"]] + d["layers"]:
            self.assertIn("blobs/sha512/" + descriptor["digest"].split(":")[1], oci)
        docker = self.check_archive_blobs(self.archive(layout, "docker"))
        item = json.loads(docker["manifest.json"])[0]
        self.assertEqual(item["Config"], "blobs/sha512/" + d["config"]["digest"].split(":")[1])
        self.assertEqual(item["Layers"], ["blobs/sha512/" + l["digest"].split(":")[1] for l in d["layers"]])
        self.assertEqual(item["RepoTags"], ["example.com/x:1"])
        # Both archives verify, the docker one also by its manifest.json alone.
        self.ok(["verify", self.path("archive-oci.tar")])
        self.ok(["verify", self.path("archive-docker.tar")])
        self.ok(["verify", self.docker_only(self.path("archive-docker.tar"))])

    def test_tampered_sha512_blobs_are_refused_by_verify(self):
        for kind in ("index", "manifest", "config", "layer"):
            with self.subTest(kind):
                layout = self.layout("tampered-" + kind)
                descriptor = self.descriptors["layers"][1] if kind == "layer" else self.descriptors[kind]
                self.tamper(layout, descriptor)
                encoded = descriptor["digest"].split(":")[1]
                self.fails(["verify", layout], "blobs/sha512/%s: content hashes to sha512:" % encoded,
                           "not its digest")

    def test_tampered_sha512_blob_in_a_docker_archive_is_refused(self):
        archive = self.archive(self.layout(), "docker")
        layer = "blobs/sha512/" + self.descriptors["layers"][0]["digest"].split(":")[1]
        self.fails(["verify", self.docker_only(archive, tamper=layer)], layer + ": content hashes to sha512:")

    def test_tampered_sha512_blobs_are_refused_by_archive(self):
        out = self.path("out")
        os.mkdir(out)
        for kind in ("config", "layer"):
            layout = self.layout("tampered-" + kind)
            descriptor = self.descriptors["layers"][0] if kind == "layer" else self.descriptors[kind]
            self.tamper(layout, descriptor)
            encoded = descriptor["digest"].split(":")[1]
            for fmt in ("oci", "docker"):
                with self.subTest(kind=kind, format=fmt):
                    self.fails(["archive", "--layout", layout, "--output", os.path.join(out, "a.tar"),
                                "--format", fmt],
                               "blobs/sha512/%s: content hashes to sha512:" % encoded, "not its digest")
                    self.assertEqual(os.listdir(out), [], "archive left output behind")

    def test_sha512_layout_is_a_base(self):
        layout = self.layout()
        d = self.descriptors
        args, out = self.base(layout)
        self.ok(args)
        self.assertEqual(iwtest.read(out["config"]), iwtest.read(self.blob_path(layout, d["config"])))
        self.assertEqual(iwtest.read(out["manifest"]), iwtest.read(self.blob_path(layout, d["manifest"])))
        self.assertEqual(json.loads(iwtest.read(out["descriptor"]))["digest"], d["manifest"]["digest"])
        # An image FROM it, and its layout: the base's sha512 layers are
        # reused as they are, beside the image's own sha256 blobs.
        src = self.path("app.tar")
        with open(src, "wb") as f:
            f.write(tar_of({"app/run": b"run\n"}))
        desc, diff, blob = self.layer("app", src)
        image = self.image("img", {"baseConfig": out["config"], "baseManifest": out["manifest"],
                                   "baseDescriptor": out["descriptor"],
                                   "layers": [{"descriptorFile": desc, "diffIdFile": diff}]})
        result = self.path("result")
        self.ok(["layout", "--out", result, "--root", image["descriptor"], "--metadata", image["config"],
                 "--metadata", image["manifest"], "--blob", "%s=%s" % (desc, blob), "--base", layout])
        self.ok(["verify", result])
        manifest = json.loads(iwtest.read(image["manifest"]))
        self.assertEqual(manifest["layers"][:2], d["layers"])
        self.assertEqual(manifest["annotations"]["org.opencontainers.image.base.digest"], d["manifest"]["digest"])
        for descriptor in manifest["layers"]:
            algorithm, encoded = descriptor["digest"].split(":")
            self.assertEqual(hexdigest(algorithm, iwtest.read(self.blob_path(result, descriptor))), encoded)
        config = json.loads(iwtest.read(image["config"]))
        self.assertEqual(config["config"]["Cmd"], ["/bin/sh"])

    def test_tampered_sha512_base_is_refused(self):
        for kind, message in (("index", "content does not match its digest"),
                              ("manifest", "content does not match its digest"),
                              ("config", "content does not match the manifest's config digest")):
            with self.subTest(kind):
                layout = self.layout("tampered-" + kind)
                self.tamper(layout, self.descriptors[kind])
                args, out = self.base(layout)
                self.fails(args, "blobs/sha512/" + self.descriptors[kind]["digest"].split(":")[1], message)
                self.assertFalse([p for p in out.values() if os.path.exists(p)], "base left output behind")

    def test_unregistered_algorithm_is_refused_by_name(self):
        layout = self.layout()
        index = json.loads(iwtest.read(os.path.join(layout, "index.json")))
        index["manifests"][0]["digest"] = "sha384:" + hashlib.sha384(b"x").hexdigest()
        iwtest.write_json(os.path.join(layout, "index.json"), index)
        expected = ("index.json.manifests[0].digest", 'unsupported algorithm "sha384"',
                    "expected sha256 or sha512")
        self.fails(["verify", layout], *expected)
        self.fails(["archive", "--layout", layout, "--output", self.path("a.tar"), "--format", "oci"], *expected)
        self.fails(self.base(layout)[0], *expected)
        self.assertFalse(os.path.exists(self.path("a.tar")))


class Sha512SkopeoTest(Sha512Case):
    """A real client reads the docker archive of a sha512 layout."""

    def test_skopeo_reads_the_docker_archive(self):
        layout = self.layout()
        archive = "docker-archive:" + self.archive(layout, "docker")
        config = json.loads(iwtest.read(self.blob_path(layout, self.descriptors["config"])))
        info = json.loads(self.skopeo("inspect", archive))
        self.assertEqual(info["Layers"], config["rootfs"]["diff_ids"])
        self.assertEqual(json.loads(self.skopeo("inspect", "--config", "--raw", archive)), config)
        copy = self.path("copy")
        self.skopeo("copy", "-q", archive, "oci:" + copy)
        for name in os.listdir(os.path.join(copy, "blobs", "sha256")):
            self.assertEqual(hexdigest("sha256", iwtest.read(os.path.join(copy, "blobs", "sha256", name))), name)


if __name__ == "__main__":
    unittest.main()
