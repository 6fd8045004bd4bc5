"""oci_image: config + manifest from layer descriptors, and an OCI layout."""

load(":attest.bzl", "ATTEST_ATTRS", "attest_image")
load(":layer.bzl", "COMPRESSIONS", "LAYER_EXTENSIONS", "is_layer_file", "layer_action")
load(":platform.bzl", "PLATFORM_ATTRS", "target_platform")
load(":providers.bzl", "OciImageInfo", "OciLayerInfo", "OciPulledInfo")
load(":request.bzl", "request_action")
load(":stamp.bzl", "STAMP_ATTRS", "stamping_enabled")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "run_imagewriter")

# Characters the image-spec allows in org.opencontainers.image.ref.name
# (alphanumerics and the separators -._:@/+).
_REF_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:@/+"

REF_NAME_ATTR = attr.string(
    default = "latest",
    doc = "The org.opencontainers.image.ref.name of the root in the OCI layout's index.json: the " +
          "tag that `umoci unpack --image <layout>:latest` and `skopeo ... oci:<layout>:latest` select. " +
          "\"\" writes none. Only the layout carries it; manifests, digests and archives do not change.",
)

def check_ref_name(rule_name, ref_name):
    """Fails unless ref_name is empty or uses only the characters the image-spec allows.

    Args:
      rule_name: "oci_image" or "oci_image_index", for the message.
      ref_name: the value of the `ref_name` attribute.
    """
    for i in range(len(ref_name)):
        if ref_name[i] not in _REF_NAME_CHARS:
            fail("%s(ref_name): \"%s\" has \"%s\"; a ref name uses only letters, digits and -._:@/+" %
                 (rule_name, ref_name, ref_name[i]))

def layout_action(ctx, directory, root_descriptor, metadata, layers, base_sources = [], ref_name = "", absent = []):
    """Assembles an OCI layout directory; layer blobs are linked, not copied.

    Args:
      ctx: the calling rule's context; it must declare the imagewriter toolchain.
      directory: the declared output directory.
      root_descriptor: File, the descriptor that index.json points at.
      metadata: Files of manifests, configs and indexes to store as blobs.
      layers: OciLayerInfo of every layer blob to link in.
      base_sources: struct(path, files, copy) of base layouts or archives
        whose blobs the layout also needs.
      ref_name: org.opencontainers.image.ref.name of the root, or "" for none.
      absent: OciLayerInfo of layers to leave out (a sparse layout): only
        their descriptors are inputs, so their blobs are never fetched.
    """
    args = ctx.actions.args()
    args.add("layout")
    args.add("--out", directory.path)
    args.add("--root", root_descriptor)
    args.add_all(metadata, before_each = "--metadata")
    for layer in layers:
        args.add("--blob", "%s=%s" % (layer.descriptor.path, layer.blob.path))
    args.add_all([layer.descriptor for layer in absent], before_each = "--absent")
    base_files = []
    for base in base_sources:
        args.add("--base", base.path)
        base_files += base.files
    if [b for b in base_sources if b.copy]:
        args.add("--copy-bases")
    if ref_name:
        args.add("--ref-name", ref_name)
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = [root_descriptor] + metadata + base_files + [layer.descriptor for layer in absent] +
                 [layer.descriptor for layer in layers] + [layer.blob for layer in layers],
        outputs = [directory],
        mnemonic = "OciLayout",
        progress_message = "Assembling OCI layout %s" % directory.short_path,
    )

def sparse_layout_action(ctx, root_descriptor, metadata, layers, base_sources, ref_name):
    """FROM a shallow base: the layout oci_push reads, without the pulled layers' blobs.

    Each layer with a source_url (a shallow oci_pull's) is left out: its
    blob is the output of a fetch action, which building this layout must
    not run. oci_push takes such a blob from its registry at run time, and
    only when the destination lacks it.

    Args:
      ctx: the calling rule's context; it must declare the imagewriter toolchain.
      root_descriptor: File, the descriptor that index.json points at.
      metadata: Files of manifests, configs and indexes to store as blobs.
      layers: OciLayerInfo of every layer; pulled ones are left out.
      base_sources: struct(path, files, copy) of base layouts or archives.
      ref_name: org.opencontainers.image.ref.name of the root, or "".

    Returns:
      The directory `<name>.sparse`.
    """
    directory = ctx.actions.declare_directory(ctx.label.name + ".sparse")
    kept = [layer for layer in layers if not layer.source_url]
    absent = [layer for layer in layers if layer.source_url]
    layout_action(ctx, directory, root_descriptor, metadata, kept, base_sources, ref_name, absent)
    return directory

def _layers(ctx):
    """OciLayerInfo for every entry of `tars`, running layer actions for raw tarballs."""
    layers = []
    for target in ctx.attr.tars:
        if OciLayerInfo in target:
            layers.append(target[OciLayerInfo])
            continue
        for src in target.files.to_list():
            if not is_layer_file(src):
                fail("oci_image(tars): %s is not a layer tarball; expected %s or an oci_layer target" %
                     (src.short_path, ", ".join(LAYER_EXTENSIONS)))
            layers.append(layer_action(
                ctx,
                src,
                "%s.layer%d" % (ctx.label.name, len(layers)),
                ctx.attr.compression,
                ctx.attr.compression_level,
                rewrite_timestamp = ctx.attr.rewrite_timestamp,
            ))
    return layers

def _base_source(ctx):
    """struct(path, files, copy) for a base given as a layout directory or an archive."""
    files = ctx.attr.base.files.to_list()

    # File.is_directory is true for tree artifacts only: a source directory
    # looks like any source file here. One source file that is not an
    # archive is taken as a layout directory; `imagewriter base` refuses it
    # when it is none.
    if len(files) == 1 and (files[0].is_directory or files[0].is_source or files[0].basename.endswith(".tar")):
        return struct(path = files[0].path, files = files, copy = files[0].is_source)
    for f in files:
        if f.basename == "oci-layout":
            return struct(path = f.dirname, files = files, copy = f.is_source)
    fail("oci_image(base): %s is neither an oci_image, an OCI layout (a directory, or files " % ctx.attr.base.label +
         "including oci-layout) nor an image archive (.tar)")

def _base_action(ctx, source, platform, layers = []):
    """Extracts the base's config, manifest and descriptor for `platform`.

    `layers`: OciLayerInfo of the base's layers when `source` lacks their
    blobs (a shallow oci_pull); they reach the layout, never this action.
    """
    outputs = [ctx.actions.declare_file("%s.base.%s" % (ctx.label.name, n)) for n in ["config.json", "manifest.json", "descriptor.json"]]
    args = ctx.actions.args()
    args.add("base")
    args.add("--source", source.path)
    args.add("--platform", platform)
    args.add("--config-out", outputs[0])
    args.add("--manifest-out", outputs[1])
    args.add("--descriptor-out", outputs[2])
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = source.files,
        outputs = outputs,
        mnemonic = "OciBase",
        progress_message = "Reading base image %s for %s" % (ctx.attr.base.label, platform),
    )
    return struct(
        config = outputs[0],
        manifest = outputs[1],
        descriptor = outputs[2],
        layers = layers,
        base_sources = [source],
        platform = platform,
    )

def _platform(ctx, base):
    if ctx.attr.os or ctx.attr.architecture or ctx.attr.variant or not base:
        os, arch, variant = target_platform(ctx)
        os = ctx.attr.os or os
        arch = ctx.attr.architecture or arch
        variant = ctx.attr.variant if (ctx.attr.variant or ctx.attr.architecture) else variant
        return "/".join([os, arch] + ([variant] if variant else []))
    return None  # The base's platform.

def _check_attrs(ctx):
    """Fails on attribute values that only the rule, not the tool, can name."""
    if ctx.attr.compression not in COMPRESSIONS:
        fail("oci_image(compression): \"%s\" is not one of %s" % (ctx.attr.compression, COMPRESSIONS))
    if ctx.attr.media_types not in ["oci", "docker"]:
        fail("oci_image(media_types): \"%s\" must be \"oci\" or \"docker\"" % ctx.attr.media_types)
    raw_tars = [t for t in ctx.attr.tars if OciLayerInfo not in t]
    if ctx.attr.compression == "estargz" and ctx.attr.media_types == "docker" and raw_tars:
        # BuildKit refuses compression=estargz with oci-mediatypes=false; the
        # image action also refuses eStargz layers made by oci_layer.
        fail("oci_image(compression): eStargz layers need media_types = \"oci\"")
    for key in ctx.attr.env:
        if not key or "=" in key:
            fail("oci_image(env): invalid variable name \"%s\"" % key)
    check_ref_name("oci_image", ctx.attr.ref_name)

def _base(ctx):
    """The base as struct(config, manifest, descriptor, layers, base_sources, platform), or None.

    An oci_image base already has these files; any other base (a layout or an
    archive) gets an action that extracts them for this image's platform.
    """
    if not ctx.attr.base:
        return None
    if OciImageInfo in ctx.attr.base:
        return ctx.attr.base[OciImageInfo]
    platform = _platform(ctx, None)
    if OciPulledInfo in ctx.attr.base:
        pulled = ctx.attr.base[OciPulledInfo]
        source = struct(path = pulled.path, files = pulled.files, copy = True)
        return _base_action(ctx, source, platform, _pulled_layers(pulled.platform_layers, platform))
    return _base_action(ctx, _base_source(ctx), platform)

def _pulled_layers(platform_layers, platform):
    """The layers of the pulled image for `platform`: its own, else every platform's.

    Taking every platform's layers is safe (the layout keeps only what its
    manifest reaches) but fetches more; it happens only when no entry
    matches, e.g. a variant the index does not name, where `imagewriter
    base` decides.
    """
    if platform in platform_layers:
        return platform_layers[platform]
    if "" in platform_layers:
        return platform_layers[""]
    os_arch = "/".join(platform.split("/")[:2])
    matches = [layers for p, layers in platform_layers.items() if "/".join(p.split("/")[:2]) == os_arch]
    if len(matches) == 1:
        return matches[0]
    seen = {}
    for layers in platform_layers.values():
        for layer in layers:
            seen[layer.blob.path] = layer
    return seen.values()

def _config_request(ctx, platform):
    """The request's members that come straight from attributes."""
    request = {
        "env": ["%s=%s" % (k, v) for k, v in ctx.attr.env.items()],
        "labels": ctx.attr.labels,
        "annotations": ctx.attr.annotations,
        "exposedPorts": ctx.attr.exposed_ports,
        "volumes": ctx.attr.volumes,
        "mediaTypes": ctx.attr.media_types,
        "dropEmptyLayers": ctx.attr.drop_empty_layers,
        "clampBaseHistory": ctx.attr.clamp_base_history,
    }

    # The macro sets *_set so that an explicit [] clears the base's value.
    if ctx.attr.entrypoint_set or ctx.attr.entrypoint:
        request["entrypoint"] = {"values": ctx.attr.entrypoint}
    if ctx.attr.cmd_set or ctx.attr.cmd:
        request["cmd"] = {"values": ctx.attr.cmd}
    for field, value in [
        ("user", ctx.attr.user),
        ("workdir", ctx.attr.workdir),
        ("stopSignal", ctx.attr.stop_signal),
        ("created", ctx.attr.created),
        ("platform", platform),
        ("sourceDateEpoch", ctx.attr.source_date_epoch or ctx.var.get("SOURCE_DATE_EPOCH", "")),
    ]:
        if value:
            request[field] = value
    return request

def _add_input_files(ctx, request, inputs):
    """Adds the request's members that name files, and those files to `inputs`."""
    for field, attr_file in [
        ("envFiles", ctx.file.env_file),
        ("labelFiles", ctx.file.labels_file),
        ("annotationFiles", ctx.file.annotations_file),
    ]:
        if attr_file:
            request[field] = [attr_file.path]
            inputs.append(attr_file)
    if stamping_enabled(ctx):
        request["statusFiles"] = [ctx.info_file.path, ctx.version_file.path]
        inputs += [ctx.info_file, ctx.version_file]

def _image_request(ctx, base, layers, platform):
    """The `imagewriter image` request and the files it names.

    Descriptors and diffIDs only: no layer blob is an input, so the image
    action's cost does not grow with layer bytes, and layer changes that keep
    descriptors equal do not rerun it.
    """
    created_by = ctx.attr.history_created_by or "bazel build %s" % ctx.label
    request = _config_request(ctx, platform)
    request["layers"] = [{
        "descriptorFile": layer.descriptor.path,
        "diffIdFile": layer.diff_id.path,
        "createdBy": layer.created_by or created_by,
        "comment": layer.comment,
    } for layer in layers]
    inputs = [layer.descriptor for layer in layers] + [layer.diff_id for layer in layers]
    if base:
        request["baseConfig"] = base.config.path
        request["baseManifest"] = base.manifest.path
        request["baseDescriptor"] = base.descriptor.path
        inputs += [base.config, base.manifest, base.descriptor]
    _add_input_files(ctx, request, inputs)
    return request, inputs

def _attested_index(ctx, descriptor, attestation):
    """The image index of an attested image: the image, then its attestation manifest.

    Returns:
      (index, descriptor, digest) Files.
    """
    request = {"manifests": [descriptor.path], "attestations": [attestation.descriptor.path], "mediaTypes": "oci"}
    request_file = ctx.actions.declare_file(ctx.label.name + ".attested.request.json")
    ctx.actions.write(request_file, json.encode(request))
    out = [ctx.actions.declare_file(ctx.label.name + ".attested" + s) for s in [".index.json", ".descriptor.json", ".digest"]]
    args = ctx.actions.args()
    args.add("index")
    args.add("--request", request_file)
    args.add("--index-out", out[0])
    args.add("--descriptor-out", out[1])
    args.add("--digest-out", out[2])
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = [request_file, descriptor, attestation.descriptor],
        outputs = out,
        mnemonic = "OciIndex",
        progress_message = "Writing the attested image index of %s" % ctx.label,
    )
    return out[0], out[1], out[2]

def referrers_layout(ctx, attestation, name):
    """The layout oci_push copies to the referrers fallback tag: the referrers index over the attestation.

    Args:
      ctx: the rule context.
      attestation: the struct attest.bzl's attest_action returns.
      name: the layout directory's name.

    Returns:
      struct(layout, tag): the layout directory and the file holding its tag.
    """
    directory = ctx.actions.declare_directory(name)
    layout_action(ctx, directory, attestation.referrers_descriptor, [attestation.referrers] + attestation.metadata, [])
    return struct(layout = directory, tag = attestation.referrers_tag)

def _shallow_base(ctx):
    """Whether the base is a shallow oci_pull, or an oci_image FROM one."""
    if not ctx.attr.base:
        return False
    if OciPulledInfo in ctx.attr.base:
        return True
    return OciImageInfo in ctx.attr.base and ctx.attr.base[OciImageInfo].shallow

def default_outputs(layout, metadata, shallow):
    """The default output: the layout, or FROM a shallow base the metadata.

    A layout holds every layer blob, so building it downloads the shallow
    base's layers; `bazel build` of such an image moves metadata only, and
    the output group `layout` (or a load, push or archive) asks for the rest.
    """
    return depset(metadata) if shallow else depset([layout])

def default_runfiles(ctx, layout, digest, shallow):
    """The layout and the root digest; FROM a shallow base the digest only.

    Bazel builds a top-level target's runfiles too, so a layout here would
    undo the metadata default output. `filegroup(output_group = "layout")`
    gives a data dependency the layout.
    """
    return ctx.runfiles(files = [digest] if shallow else [layout, digest])

def _providers(ctx, out, request_file, layout, all_layers, base_sources, platform, attested, sparse):
    """OciImageInfo, the default output (the layout, or the metadata), and the output groups.

    `sparse` is the sparse layout, which exactly the images FROM a shallow
    base have, or None.
    """
    root_digest = attested.digest if attested else out["digest"]
    referrers = [attested.referrers] if attested else []
    shallow = sparse != None
    metadata = [out["config"], out["manifest"], out["descriptor"], out["digest"]]
    return [
        OciImageInfo(
            manifest = out["manifest"],
            config = out["config"],
            descriptor = out["descriptor"],
            digest = out["digest"],
            layout = layout,
            layers = all_layers,
            base_sources = base_sources,
            layer_descriptors = depset([layer.descriptor for layer in all_layers]),
            layer_blobs = depset([layer.blob for layer in all_layers]),
            platform = platform,
            media_types = ctx.attr.media_types,
            attestation = attested.attestation if attested else None,
            root_digest = root_digest,
            referrers = referrers,
            shallow = shallow,
            sparse_layout = sparse,
        ),
        DefaultInfo(files = default_outputs(layout, metadata, shallow), runfiles = default_runfiles(ctx, layout, root_digest, shallow)),
        OutputGroupInfo(
            config = depset([out["config"]]),
            manifest = depset([out["manifest"]]),
            descriptor = depset([out["descriptor"]]),
            digest = depset([out["digest"]]),
            # Everything but the layout: what a shallow base lets a build
            # produce without downloading a layer.
            metadata = depset(metadata),
            layout = depset([layout]),
            sparse_layout = depset([sparse] if sparse else []),
            request = depset([request_file]),
            referrers = depset([r.layout for r in referrers]),
        ),
    ]

def _oci_image_impl(ctx):
    _check_attrs(ctx)
    base = _base(ctx)
    layers = _layers(ctx)
    platform = _platform(ctx, base)
    request, inputs = _image_request(ctx, base, layers, platform)
    request_file, out = request_action(
        ctx,
        "image",
        request,
        inputs,
        [("config", ".config.json"), ("manifest", ".manifest.json"), ("descriptor", ".descriptor.json"), ("digest", ".digest")],
        "OciImage",
        "Writing image config and manifest for %s" % ctx.label,
    )

    all_layers = (base.layers if base else []) + layers
    base_sources = base.base_sources if base else []
    layout = ctx.actions.declare_directory(ctx.label.name)
    metadata = [out["config"], out["manifest"]]
    root = out["descriptor"]
    attested = None
    attestation = attest_image(ctx, out["descriptor"], all_layers, base, platform)
    if attestation:
        index, root, digest = _attested_index(ctx, out["descriptor"], attestation)
        metadata += [index] + attestation.metadata
        attested = struct(attestation = attestation, digest = digest, referrers = referrers_layout(ctx, attestation, ctx.label.name + ".referrers"))
    layout_action(ctx, layout, root, metadata, all_layers, base_sources, ctx.attr.ref_name)
    sparse = None
    if _shallow_base(ctx):
        sparse = sparse_layout_action(ctx, root, metadata, all_layers, base_sources, ctx.attr.ref_name)
    platform = platform or (base.platform if base else "")
    return _providers(ctx, out, request_file, layout, all_layers, base_sources, platform, attested, sparse)

_ATTRS = {
    "base": attr.label(
        allow_files = True,
        doc = "Base image: an oci_image target, an OCI layout (directory, tree artifact, or files including " +
              "oci-layout) or an oci-archive/docker-archive .tar. A multi-platform base is resolved for this " +
              "image's platform. Base layers are reused as they are; the config is inherited.",
    ),
    "tars": attr.label_list(
        allow_files = True,
        doc = "Layers, bottom first: oci_layer targets or tarballs (.tar, .tar.gz/.tgz, .tar.zst/.tzst); " +
              "each tarball gets its own layer action.",
    ),
    "entrypoint": attr.string_list(doc = "Config Entrypoint. Setting it clears an inherited Cmd."),
    "entrypoint_set": attr.bool(doc = "Internal: set by the oci_image macro when `entrypoint` was given, so [] clears it."),
    "cmd": attr.string_list(doc = "Config Cmd."),
    "cmd_set": attr.bool(doc = "Internal: set by the oci_image macro when `cmd` was given."),
    "env": attr.string_dict(doc = "Environment; values expand $VAR and ${VAR} against the base and earlier entries."),
    "env_file": attr.label(allow_single_file = True, doc = "Environment as a file of KEY=VALUE lines (the macro's `env` as a label)."),
    "user": attr.string(doc = "Config User, e.g. \"65532:65532\"."),
    "workdir": attr.string(doc = "Config WorkingDir."),
    "exposed_ports": attr.string_list(doc = "Config ExposedPorts: \"8080\" (tcp) or \"53/udp\"."),
    "volumes": attr.string_list(doc = "Config Volumes."),
    "labels": attr.string_dict(doc = "Config Labels, merged into the base's."),
    "labels_file": attr.label(allow_single_file = True, doc = "Labels as a file of KEY=VALUE lines."),
    "annotations": attr.string_dict(doc = "Manifest annotations."),
    "annotations_file": attr.label(allow_single_file = True, doc = "Annotations as a file of KEY=VALUE lines."),
    "stop_signal": attr.string(doc = "Config StopSignal, e.g. \"SIGTERM\"."),
    "created": attr.string(doc = "RFC 3339 creation time; wins over every rule. Default, as BuildKit: the base's, " +
                                 "clamped to SOURCE_DATE_EPOCH; else the last history entry's (new entries: " +
                                 "SOURCE_DATE_EPOCH, else 1970-01-01T00:00:00Z)."),
    "source_date_epoch": attr.string(doc = "Seconds since 1970; also settable with --define=SOURCE_DATE_EPOCH=N. Clamps " +
                                           "history times after the base's own, and a later created."),
    "clamp_base_history": attr.bool(doc = "With SOURCE_DATE_EPOCH, clamp the base's history times (and a created " +
                                          "taken from them) too, as BuildKit before v0.13 did. Fails without an epoch."),
    "os": attr.string(doc = "Default: from the target platform, else linux (or the base's)."),
    "architecture": attr.string(doc = "Default: from the target platform, else amd64 (or the base's)."),
    "variant": attr.string(doc = "CPU variant, e.g. v8 for arm64."),
    "media_types": attr.string(default = "oci", doc = "\"oci\" or \"docker\" manifest and layer media types."),
    "compression": attr.string(default = "gzip", doc = "Compression for raw `tars`: gzip, estargz, zstd or none."),
    "compression_level": attr.int(default = -1, doc = "Compression level for raw `tars`; -1 for the default."),
    "rewrite_timestamp": attr.int(default = -1, doc = "For raw `tars`: clamp every time in them to this epoch; -1 = off."),
    "history_created_by": attr.string(doc = "History created_by for new layers. Default: \"bazel build <label>\"."),
    "ref_name": REF_NAME_ATTR,
    "drop_empty_layers": attr.bool(doc = "Drop empty gzip layers (sha256:4f4fb700...) as BuildKit once did. Default keeps them."),
}

oci_image = rule(
    implementation = _oci_image_impl,
    doc = """A single-platform OCI or Docker image.

The default output is an OCI image layout directory named after the target,
except FROM a shallow oci_pull (directly or through another oci_image): then
it is the metadata (config, manifest, descriptor, digest), so that `bazel
build` downloads no base layer, and the layout is the output group `layout`.
Output groups: config, manifest, descriptor, digest, metadata (those four),
layout, sparse_layout (FROM a shallow base: the layout without the base's
layer blobs, which oci_push reads), request, referrers.""",
    attrs = dict(_ATTRS.items() + STAMP_ATTRS.items() + PLATFORM_ATTRS.items() + ATTEST_ATTRS.items()),
    toolchains = [TOOLCHAIN_TYPE],
)
