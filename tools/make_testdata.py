#!/usr/bin/env python3
"""Regenerates the committed test inputs under testdata/.

The inputs are committed, not generated at test time, so that tests never
depend on the host's tar, gzip or zstd. Run this only to add inputs; any
change to an existing file changes goldens and must say why in the commit.

    python3 tools/make_testdata.py
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata")


def write(path, data):
    path = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                info.mode = 0o777
                tar.addfile(info)
            else:
                info.mode = 0o755 if kind == "exec" else 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gzip_bytes(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def main():
    hello = tar_bytes([
        ("app", "dir", None),
        ("app/hello.sh", "exec", b"#!/bin/sh\necho hello\n"),
        ("app/data.txt", "file", b"x" * 3000),
        ("app/current", "symlink", "hello.sh"),
        ("app/" + "long" * 40 + ".txt", "file", b"a long name goes through PAX\n"),
    ])
    write("layers/hello.tar", hello)
    write("layers/hello.tar.gz", gzip_bytes(hello))
    zst = subprocess.run(["zstd", "-q", "-3", "--no-check", "-c"], input=hello,
                         stdout=subprocess.PIPE, check=True).stdout
    write("layers/hello.tar.zst", zst)
    write("layers/empty.tar", b"\0" * 1024)
    extra = tar_bytes([("etc", "dir", None), ("etc/motd", "file", b"welcome\n")])
    write("layers/extra.tar", extra)

    # Entries dated in the future, for --rewrite-timestamp.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, mtime, data in (("past.txt", 1000, b"past\n"), ("future.txt", 4102444800, b"future\n"),
                                  ("pax.txt", 4102444800.5, b"fractional future\n")):
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    write("layers/future.tar", buf.getvalue())

    # Source files for layers built from files.
    write("files/app/hello.sh", b"#!/bin/sh\necho hello\n")
    os.chmod(os.path.join(ROOT, "files/app/hello.sh"), 0o755)
    write("files/app/config.txt", b"key=value\n")

    # Malformed inputs, one problem each.
    write("bad/truncated.tar", hello[:700])
    bad_sum = bytearray(hello)
    bad_sum[512] ^= 0x01  # Second header's name: its checksum no longer matches.
    write("bad/bad_checksum.tar", bytes(bad_sum))
    write("bad/not_a_tar.bin", b"this is not a tar archive\n" * 40)
    write("bad/zero_length.tar", b"")
    gz = bytearray(gzip_bytes(hello))
    gz[-8] ^= 0xFF  # CRC-32 of the trailer.
    write("bad/bad_crc.tar.gz", bytes(gz))
    write("bad/truncated.tar.zst", zst[: len(zst) // 2])

    # Path safety: entries and hard links that climb out of the root.
    def raw_tar(entries):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for name, kind, target in entries:
                info = tarfile.TarInfo(name)
                info.mtime = 0
                if kind == "file":
                    info.size = 1
                    tar.addfile(info, io.BytesIO(b"x"))
                else:
                    info.type = tarfile.LNKTYPE if kind == "hard" else tarfile.SYMTYPE
                    info.linkname = target
                    tar.addfile(info)
        return buf.getvalue()

    write("bad/dotdot_escape.tar", raw_tar([("ok.txt", "file", None), ("a/../../etc/passwd", "file", None)]))
    write("bad/hardlink_escape.tar", raw_tar([("ok.txt", "file", None), ("link", "hard", "../../etc/shadow")]))
    write("layers/suspicious_paths.tar", raw_tar([("/abs.txt", "file", None), ("d/up", "sym", "../../../etc"),
                                                 ("d/fine", "sym", "/etc")]))
    # A write through a symlink that leaves the root: refused by default,
    # accepted with oci_layer(allow_writes_through_symlinks = True).
    write("layers/through_symlink.tar", raw_tar([("lib", "sym", "/etc"), ("lib/motd", "file", None)]))
    # A decompression bomb: 100 MiB of zeros (an empty tar) in ~100 KiB.
    write("bad/bomb.tar.gz", gzip.compress(b"\0" * (100 << 20), compresslevel=9, mtime=0))

    # Base images: config + manifest pairs whose digests line up.
    def base(name, config_text, layer_count, layer_annotations=()):
        config = config_text.encode()
        layers = [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "sha256:" + hashlib.sha256(b"base-layer-%d" % i).hexdigest(),
            "size": 1000 + i,
        } for i in range(layer_count)]
        for layer, annotations in zip(layers, layer_annotations):
            layer["annotations"] = annotations
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
                "size": len(config),
            },
            "layers": layers,
        }
        write("base/%s/config.json" % name, config)
        write("base/%s/manifest.json" % name, json.dumps(manifest, indent=2).encode())

    def diff(i):
        return "sha256:" + hashlib.sha256(b"base-diff-%d" % i).hexdigest()

    # A Docker-built base: unknown top-level fields, HTML-ish strings, odd
    # escapes and spacing, history with a non-UTC offset.
    base("docker_style", """{
  "architecture": "amd64",
  "os": "linux",
  "docker_version": "20.10.7",
  "container": "3f1c",
  "container_config": {"Hostname": "3f1c", "Cmd": ["/bin/sh", "-c", "#(nop) CMD [\\"sh\\"] && <x>"]},
  "config": {"Hostname": "", "Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["sh"],
             "Labels": {"maintainer": "caf\\u00e9"}, "Healthcheck": {"Test": ["NONE"]}},
  "created": "2023-05-01T10:00:00.123456789+02:00",
  "history": [
    {"created": "2023-05-01T09:00:00+02:00", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created": "2023-05-01T10:00:00.5+02:00", "created_by": "/bin/sh -c #(nop)  CMD [\\"sh\\"]", "empty_layer": true}
  ],
  "rootfs": {"type": "layers", "diff_ids": ["%s"]},
  "moby.extra": [1.50, 2e3, null, true]
}
""" % diff(0), 1)

    # History claims three layers, rootfs has one.
    base("more_history", json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/bin"]},
        "history": [
            {"created": "2020-01-01T00:00:00Z", "created_by": "layer one"},
            {"created": "2020-01-02T00:00:00Z", "created_by": "env", "empty_layer": True},
            {"created": "2020-01-03T00:00:00Z", "created_by": "layer two"},
            {"created": "2020-01-04T00:00:00Z", "created_by": "layer three"},
        ],
        "rootfs": {"type": "layers", "diff_ids": [diff(0)]},
    }, separators=(",", ":")), 1)

    # Two layers and no history at all.
    base("no_history", json.dumps({
        "architecture": "arm64", "variant": "v8", "os": "linux",
        "config": {"Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff(0), diff(1)]},
    }, separators=(",", ":")), 2)

    # History entries without created times.
    base("undated_history", json.dumps({
        "architecture": "amd64", "os": "linux",
        "history": [{"created_by": "undated layer"}, {"created_by": "undated env", "empty_layer": True}],
        "rootfs": {"type": "layers", "diff_ids": [diff(0)]},
    }, separators=(",", ":")), 1)

    # What BuildKit's rules are about: a `created` (spelled with a
    # fractional .500) and history times from 2023, and layer annotations
    # BuildKit keeps (eStargz) or drops (the rest) on a base.
    base("buildkit_base", json.dumps({
        "architecture": "amd64", "os": "linux",
        "created": "2023-06-01T12:00:00.500Z",
        "config": {"Env": ["PATH=/bin"]},
        "history": [
            {"created": "2023-05-01T00:00:00Z", "created_by": "base layer one"},
            {"created": "2023-06-01T12:00:00.5Z", "created_by": "base env", "empty_layer": True},
            {"created": "2023-06-01T12:00:00.5Z", "created_by": "base layer two", "comment": "late"},
        ],
        "rootfs": {"type": "layers", "diff_ids": [diff(0), diff(1)]},
    }, separators=(",", ":")), 2, [
        {"org.example.base-note": "dropped: not a key BuildKit's content store keeps",
         "containerd.io/snapshot/stargz/toc.digest": "sha256:" + hashlib.sha256(b"toc").hexdigest(),
         "io.containers.estargz.uncompressed-size": "2048",
         "containerd.io/uncompressed": diff(0)},
        {"org.opencontainers.image.title": "dropped too"},
    ])


def base_layout():
    """A two-platform base image as an OCI layout: a layer and a config each."""
    root = os.path.join(ROOT, "base_layout")
    shutil.rmtree(root, ignore_errors=True)

    def blob(data):
        digest = hashlib.sha256(data).hexdigest()
        write("base_layout/blobs/sha256/" + digest, data)
        return "sha256:" + digest

    manifests = []
    for arch, variant in (("amd64", None), ("arm64", "v8")):
        tar = tar_bytes([("etc", "dir", None), ("etc/base-release", "file", ("base for %s\n" % arch).encode())])
        layer = gzip_bytes(tar)
        config = json.dumps({
            "architecture": arch, "os": "linux", **({"variant": variant} if variant else {}),
            "config": {"Env": ["PATH=/usr/bin:/bin", "BASE=" + arch], "Cmd": ["/bin/base"], "WorkingDir": "/"},
            "created": "2020-02-02T02:02:02Z",
            "history": [{"created": "2020-02-02T02:02:02Z", "created_by": "base layer for " + arch}],
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
        }, separators=(",", ":"), sort_keys=True).encode()
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config),
                       "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(layer),
                        "size": len(layer)}],
        }, indent=2).encode()
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        manifests.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest),
                          "size": len(manifest), "platform": platform})
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": manifests}, indent=2).encode()
    index_digest = blob(index)
    write("base_layout/index.json", json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest,
                       "size": len(index),
                       "annotations": {"io.containerd.image.name": "example.com/base:1.0",
                                       "org.opencontainers.image.ref.name": "1.0"}}]}, indent=2).encode())
    write("base_layout/oci-layout", b'{"imageLayoutVersion":"1.0.0"}')


if __name__ == "__main__":
    main()
    base_layout()
