"""oci_layer and the layer action shared with oci_image."""

load(":providers.bzl", "OciLayerInfo")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "imagewriter_binary")

LAYER_EXTENSIONS = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"]
COMPRESSIONS = ["gzip", "zstd", "none"]
_BLOB_EXTENSION = {"gzip": ".tar.gz", "zstd": ".tar.zst", "none": ".tar"}

def is_layer_file(file):
    for ext in LAYER_EXTENSIONS:
        if file.basename.endswith(ext):
            return True
    return False

def layer_action(ctx, src, prefix, compression, level = -1, annotations = {}, created_by = "", comment = ""):
    """Runs `imagewriter layer` once on `src`; returns its OciLayerInfo.

    One streaming pass writes the blob, its descriptor and the diffID.
    """
    blob = ctx.actions.declare_file(prefix + _BLOB_EXTENSION[compression])
    descriptor = ctx.actions.declare_file(prefix + ".descriptor.json")
    diff_id = ctx.actions.declare_file(prefix + ".diff_id")
    args = ctx.actions.args()
    args.add("layer")
    args.add("--input", src)
    args.add("--output", blob)
    args.add("--descriptor-out", descriptor)
    args.add("--diff-id-out", diff_id)
    args.add("--compression", compression)
    if level >= 0:
        args.add("--level", str(level))
    for key, value in annotations.items():
        args.add("--annotation", "%s=%s" % (key, value))
    ctx.actions.run(
        executable = imagewriter_binary(ctx),
        arguments = [args],
        inputs = [src],
        outputs = [blob, descriptor, diff_id],
        mnemonic = "OciLayer",
        progress_message = "Writing layer %s (%s)" % (src.short_path, compression),
    )
    return OciLayerInfo(
        blob = blob,
        descriptor = descriptor,
        diff_id = diff_id,
        created_by = created_by,
        comment = comment,
    )

def _oci_layer_impl(ctx):
    if ctx.attr.compression not in COMPRESSIONS:
        fail("oci_layer(compression): \"%s\" is not one of %s" % (ctx.attr.compression, COMPRESSIONS))
    src = ctx.file.tar
    if not is_layer_file(src):
        fail("oci_layer(tar): %s is not a layer tarball; expected one of %s" % (src.short_path, LAYER_EXTENSIONS))
    info = layer_action(
        ctx,
        src,
        ctx.label.name,
        ctx.attr.compression,
        ctx.attr.compression_level,
        ctx.attr.annotations,
        ctx.attr.created_by,
        ctx.attr.comment,
    )
    return [
        info,
        DefaultInfo(files = depset([info.blob, info.descriptor, info.diff_id])),
        OutputGroupInfo(blob = depset([info.blob]), descriptor = depset([info.descriptor])),
    ]

oci_layer = rule(
    implementation = _oci_layer_impl,
    doc = """One image layer from a tarball, in one streaming action.

The tar may be plain, gzip or zstd; its compression is detected from its
bytes. If it already has the requested compression its bytes are used as
they are. Outputs: `<name>.tar.gz` (or `.tar.zst`/`.tar`), `<name>.descriptor.json`
and `<name>.diff_id`.""",
    attrs = {
        "tar": attr.label(
            mandatory = True,
            allow_single_file = True,
            doc = "The layer's tarball: .tar, .tar.gz/.tgz or .tar.zst/.tzst.",
        ),
        "compression": attr.string(
            default = "gzip",
            doc = "Blob compression: gzip, zstd or none.",
        ),
        "compression_level": attr.int(
            default = -1,
            doc = "gzip 1-9 (default 6) or zstd 1-19 (default 3); -1 for the default.",
        ),
        "annotations": attr.string_dict(doc = "Annotations on the layer's descriptor."),
        "created_by": attr.string(doc = "History `created_by` for this layer; default: `bazel build <image label>`."),
        "comment": attr.string(doc = "History `comment` for this layer."),
    },
    toolchains = [TOOLCHAIN_TYPE],
)
