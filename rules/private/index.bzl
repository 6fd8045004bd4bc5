"""oci_image_index: a multi-platform index over oci_image targets."""

load(":image.bzl", "REF_NAME_ATTR", "check_ref_name", "layout_action")
load(":providers.bzl", "OciImageIndexInfo", "OciImageInfo")
load(":request.bzl", "request_action")
load(":toolchain.bzl", "TOOLCHAIN_TYPE")

def _oci_image_index_impl(ctx):
    if ctx.attr.media_types not in ["oci", "docker"]:
        fail("oci_image_index(media_types): \"%s\" must be \"oci\" or \"docker\"" % ctx.attr.media_types)
    check_ref_name("oci_image_index", ctx.attr.ref_name)
    images = [t[OciImageInfo] for t in ctx.attr.images]
    if not images:
        fail("oci_image_index(images): needs at least one image")
    request = {
        "manifests": [i.descriptor.path for i in images],
        "annotations": ctx.attr.annotations,
        "mediaTypes": ctx.attr.media_types,
    }
    inputs = [i.descriptor for i in images]
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
    for image in images:
        metadata += [image.manifest, image.config]
        layers += image.layers
        base_sources += image.base_sources
    layout = ctx.actions.declare_directory(ctx.label.name)
    layout_action(ctx, layout, descriptor, metadata, layers, base_sources, ctx.attr.ref_name)
    return [
        OciImageIndexInfo(index = index, descriptor = descriptor, digest = digest, layout = layout, images = images),
        DefaultInfo(files = depset([layout]), runfiles = ctx.runfiles(files = [layout, digest])),
        OutputGroupInfo(index = depset([index]), descriptor = depset([descriptor]), digest = depset([digest])),
    ]

oci_image_index = rule(
    implementation = _oci_image_index_impl,
    doc = """An OCI image index (or Docker manifest list) over single-platform images.

Built from the images' descriptors only. The default output is an OCI layout
whose index.json points to the index.""",
    attrs = {
        "images": attr.label_list(
            mandatory = True,
            providers = [OciImageInfo],
            doc = "oci_image targets, one per platform; no two may share a platform.",
        ),
        "annotations": attr.string_dict(doc = "Index annotations."),
        "annotations_file": attr.label(allow_single_file = True, doc = "Annotations as a file of KEY=VALUE lines."),
        "media_types": attr.string(default = "oci", doc = "\"oci\" (image index) or \"docker\" (manifest list)."),
        "ref_name": REF_NAME_ATTR,
    },
    toolchains = [TOOLCHAIN_TYPE],
)
