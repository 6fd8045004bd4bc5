"""oci_image_index: a multi-platform index over oci_image targets."""

load(":attest.bzl", "attest_action")
load(":flag.bzl", "FlagInfo")
load(":image.bzl", "REF_NAME_ATTR", "check_ref_name", "default_outputs", "default_runfiles", "layout_action", "referrers_layout", "sparse_layout_action")
load(":providers.bzl", "OciImageIndexInfo", "OciImageInfo")
load(":request.bzl", "request_action")
load(":toolchain.bzl", "TOOLCHAIN_TYPE")

_PLATFORMS = "//command_line_option:platforms"

def _per_platform_impl(settings, attr):
    """One configuration per entry of `platforms`, keyed by its label."""
    if not attr.platforms:
        return {"": {_PLATFORMS: settings[_PLATFORMS]}}
    return {str(platform): {_PLATFORMS: [str(platform)]} for platform in attr.platforms}

# A split transition: `platform_images` is analysed once per platform, and
# the image's layers with it, so select() on @platforms//cpu picks per
# platform. Bazel 4 gives each resulting configuration an output directory
# of its own (a hash of the changed options), so no suffix is needed.
#
# C++ toolchains follow the platform only with
# --incompatible_enable_cc_toolchain_resolution, which Bazel 4 does not let a
# transition set (it refuses --incompatible_* options); without it a
# cc_binary in a layer is compiled by the --cpu toolchain for every platform.
_per_platform = transition(
    implementation = _per_platform_impl,
    inputs = [_PLATFORMS],
    outputs = [_PLATFORMS],
)

def _images(ctx):
    """OciImageInfo of every image, platform by platform in `platforms` order."""
    if ctx.attr.images and ctx.attr.platforms:
        # Only the macro in defs.bzl moves `images` to `platform_images`.
        fail("oci_image_index(platforms): load oci_image_index from @imagewriter//rules:defs.bzl, " +
             "which builds `images` once per platform")
    if not ctx.attr.platforms:
        if ctx.attr.platform_images:
            fail("oci_image_index(platform_images): needs `platforms`")
        return [t[OciImageInfo] for t in ctx.attr.images]
    if not ctx.attr._cc_toolchain_resolution[FlagInfo].enabled:
        # buildifier: disable=print
        print(("%s: --incompatible_enable_cc_toolchain_resolution is off, so Bazel 4 compiles any " +
               "cc_binary in these images for the host's CPU on every platform; add " +
               "`build --incompatible_enable_cc_toolchain_resolution` to .bazelrc (the default from Bazel 7)") %
              ctx.label)
    split = ctx.split_attr.platform_images
    images = []
    for platform in ctx.attr.platforms:
        images += [t[OciImageInfo] for t in split[str(platform.label)]]
    return images

def _attestations(ctx, images):
    """(attestation structs, referrers layouts) of the images, in image order.

    The index's own `attestations` join every image's: each image then gets
    a new attestation manifest with its own statements (already normalised,
    so they pass again byte for byte) followed by the index's.
    """
    if not ctx.files.attestations:
        return [i.attestation for i in images if i.attestation], [r for i in images for r in i.referrers]
    if ctx.attr.media_types != "oci":
        fail("oci_image_index(attestations): attestations need media_types = \"oci\"")
    attestations, referrers = [], []
    for n, image in enumerate(images):
        own = image.attestation.statements if image.attestation else []
        a = attest_action(ctx, "%s.attestation%d" % (ctx.label.name, n), image.descriptor, own + ctx.files.attestations)
        attestations.append(a)
        referrers.append(referrers_layout(ctx, a, "%s.referrers%d" % (ctx.label.name, n)))
    return attestations, referrers

def _oci_image_index_impl(ctx):
    if ctx.attr.media_types not in ["oci", "docker"]:
        fail("oci_image_index(media_types): \"%s\" must be \"oci\" or \"docker\"" % ctx.attr.media_types)
    check_ref_name("oci_image_index", ctx.attr.ref_name)
    images = _images(ctx)
    if not images:
        fail("oci_image_index(images): needs at least one image")
    request = {
        "manifests": [i.descriptor.path for i in images],
        "annotations": ctx.attr.annotations,
        "mediaTypes": ctx.attr.media_types,
    }
    inputs = [i.descriptor for i in images]

    # BuildKit's layout: each image's attestation manifest after all images.
    attestations, referrers = _attestations(ctx, images)
    if attestations:
        request["attestations"] = [a.descriptor.path for a in attestations]
        inputs += [a.descriptor for a in attestations]
    if ctx.file.annotations_file:
        request["annotationFiles"] = [ctx.file.annotations_file.path]
        inputs.append(ctx.file.annotations_file)
    _, out = request_action(
        ctx,
        "index",
        request,
        inputs,
        [("index", ".index.json"), ("descriptor", ".descriptor.json"), ("digest", ".digest")],
        "OciIndex",
        "Writing image index %s" % ctx.label,
    )
    index, descriptor, digest = out["index"], out["descriptor"], out["digest"]
    metadata = [index]
    layers = []
    base_sources = []
    for a in attestations:
        metadata += a.metadata
    for image in images:
        metadata += [image.manifest, image.config]
        layers += image.layers
        base_sources += image.base_sources
    layout = ctx.actions.declare_directory(ctx.label.name)
    layout_action(ctx, layout, descriptor, metadata, layers, base_sources, ctx.attr.ref_name)
    shallow = any([image.shallow for image in images])
    sparse = sparse_layout_action(ctx, descriptor, metadata, layers, base_sources, ctx.attr.ref_name) if shallow else None
    return [
        OciImageIndexInfo(
            index = index,
            descriptor = descriptor,
            digest = digest,
            layout = layout,
            images = images,
            referrers = referrers,
            shallow = shallow,
            sparse_layout = sparse,
        ),
        DefaultInfo(files = default_outputs(layout, [index, descriptor, digest], shallow), runfiles = default_runfiles(ctx, layout, digest, shallow)),
        OutputGroupInfo(
            index = depset([index]),
            descriptor = depset([descriptor]),
            digest = depset([digest]),
            metadata = depset([index, descriptor, digest]),
            layout = depset([layout]),
            sparse_layout = depset([sparse] if sparse else []),
            referrers = depset([r.layout for r in referrers]),
        ),
    ]

oci_image_index = rule(
    implementation = _oci_image_index_impl,
    doc = """An OCI image index (or Docker manifest list) over single-platform images.

Built from the images' descriptors only. The default output is an OCI layout
whose index.json points to the index; when an image is FROM a shallow
oci_pull, it is the metadata (index, descriptor, digest) and the layout is
the output group `layout`, and oci_push reads `sparse_layout`, the layout
without the shallow bases' layer blobs. Output groups: index, descriptor,
digest, metadata, layout, sparse_layout, referrers.""",
    attrs = {
        "images": attr.label_list(
            providers = [OciImageInfo],
            doc = "oci_image targets, one per platform; no two may share a platform. With `platforms`, " +
                  "the oci_image_index macro passes them as `platform_images` instead.",
        ),
        "platforms": attr.label_list(
            providers = [platform_common.PlatformInfo],
            doc = "platform targets: each of `images` is built once for each, in this order, " +
                  "through a split transition. Empty: `images` are taken as they are.",
        ),
        "platform_images": attr.label_list(
            providers = [OciImageInfo],
            cfg = _per_platform,
            doc = "Internal: `images` when `platforms` is set (the macro moves them here).",
        ),
        "_cc_toolchain_resolution": attr.label(default = Label("//rules/private:cc_toolchain_resolution")),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
        "annotations": attr.string_dict(doc = "Index annotations."),
        "attestations": attr.label_list(
            allow_files = [".json"],
            doc = "in-toto statement files attested for every image of the index, after each image's own " +
                  "(see oci_image's `attestations`). OCI media types only.",
        ),
        "annotations_file": attr.label(allow_single_file = True, doc = "Annotations as a file of KEY=VALUE lines."),
        "media_types": attr.string(default = "oci", doc = "\"oci\" (image index) or \"docker\" (manifest list)."),
        "ref_name": REF_NAME_ATTR,
    },
    toolchains = [TOOLCHAIN_TYPE],
)
