"""imagewriter against BuildKit's own compatibility goldens, byte for byte.

BuildKit's client/testdata/compatibility/<kind>/<case>/v<N>/{config,manifest}
.json are the config and manifest its exporter wrote for an LLB build FROM
busybox with SOURCE_DATE_EPOCH=1445412480. This test reads them from a
BuildKit git mirror (BUILDKIT_GIT_DIR, default /work/.mirror/moby+buildkit/
repo; skipped when there is none: nothing of BuildKit's is copied here),
and for every case and compatibility version asks `imagewriter image` for
the same image:
- the base: busybox's config as BuildKit inherited it (its two history
  entries, with times after the epoch, and its created) and no layers;
- the layers: the golden manifest's descriptors (and their annotations, as
  `imagewriter layer --annotation` would set them), with the golden
  config's diffIDs and history text;
- the epoch, the manifest annotations, the media types of the golden;
- clampBaseHistory: the LLB build gave BuildKit no base config
  (containerimage.base.config), so BuildKit clamped busybox's history too.
The config and the manifest must be the golden's bytes, in the Docker
(image/) and OCI (oci/, common/) flavours alike.
"""
import hashlib
import json
import os
import subprocess
import unittest

from tests import iwtest

GIT_DIR = os.environ.get("BUILDKIT_GIT_DIR", "/work/.mirror/moby+buildkit/repo")
ROOT = "client/testdata/compatibility"
EPOCH = "1445412480"
OCI_LAYER_TYPES = {
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar": "application/vnd.oci.image.layer.v1.tar",
}


def git(*args):
    return subprocess.run(["git", "--git-dir", GIT_DIR] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, check=True).stdout


def golden_files():
    """{(kind, case, version): {name: bytes}}"""
    out = {}
    for path in git("ls-tree", "-r", "--name-only", "HEAD", ROOT).decode().split():
        parts = path[len(ROOT) + 1:].split("/")
        if len(parts) == 4 and parts[3].endswith(".json"):
            out.setdefault(tuple(parts[:3]), {})[parts[3]] = path
    return out


@unittest.skipUnless(os.path.isdir(GIT_DIR), "no BuildKit mirror at %s" % GIT_DIR)
class BuildKitGoldensTest(iwtest.ImagewriterTestCase):
    def write(self, name, data):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def base(self, config):
        """busybox's config as BuildKit inherited it: its first two entries."""
        base = dict(config, created="2023-05-18T00:00:00Z",
                    rootfs={"type": "layers", "diff_ids": []},
                    history=[dict(h, created="2023-05-18T00:00:00Z") for h in config["history"][:2]])
        base_bytes = json.dumps(base, separators=(",", ":")).encode()
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": "sha256:" + hashlib.sha256(base_bytes).hexdigest(),
                               "size": len(base_bytes)},
                    "layers": []}
        return self.write("base.json", base_bytes), self.write("base-manifest.json", json.dumps(manifest).encode())

    def request(self, config, manifest):
        base_config, base_manifest = self.base(config)
        # The first layer is busybox's, described by the base's history.
        history = [None] + config["history"][2:]
        layers = []
        for i, (layer, entry) in enumerate(zip(manifest["layers"], history)):
            desc = dict(layer, mediaType=OCI_LAYER_TYPES.get(layer["mediaType"], layer["mediaType"]))
            ref = {"descriptorFile": self.write("l%d.json" % i, json.dumps(desc).encode()),
                   "diffIdFile": self.write("l%d.diffid" % i, config["rootfs"]["diff_ids"][i].encode())}
            if entry:
                ref.update(createdBy=entry["created_by"], comment=entry.get("comment", ""))
            layers.append(ref)
        docker = "docker" in manifest["mediaType"]
        return {"baseConfig": base_config, "baseManifest": base_manifest, "layers": layers,
                "sourceDateEpoch": EPOCH, "clampBaseHistory": True,
                "mediaTypes": "docker" if docker else "oci",
                "annotations": manifest.get("annotations", {})}

    def test_every_case_and_version(self):
        files = golden_files()
        checked = 0
        for (kind, case, version), names in sorted(files.items()):
            if "manifest.json" not in names:
                continue
            config_path = files.get(("common", case, version), {}).get("config.json")
            with self.subTest(kind=kind, case=case, version=version):
                config_bytes = git("show", "HEAD:" + config_path)
                manifest_bytes = git("show", "HEAD:" + names["manifest.json"])
                out = self.image("%s-%s-%s" % (kind, case, version),
                                 self.request(json.loads(config_bytes), json.loads(manifest_bytes)))
                self.assertEqual(iwtest.read(out["config"]), config_bytes)
                self.assertEqual(iwtest.read(out["manifest"]), manifest_bytes)
                checked += 1
        self.assertGreater(checked, 20)


if __name__ == "__main__":
    unittest.main()
