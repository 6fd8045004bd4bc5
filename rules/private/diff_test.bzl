"""oci_diff_test: an image against a pinned golden layout, failing with what changed."""

load(":providers.bzl", "OciImageIndexInfo", "OciImageInfo")
load(":runfiles.bzl", "RUNFILES_PRELUDE", "runfiles_path")
load(":toolchain.bzl", "TOOLCHAIN_TYPE")

def _golden_path(ctx):
    """The golden layout's directory (where its oci-layout file is), or the one archive."""
    for f in ctx.files.golden:
        if f.basename == "oci-layout":
            return runfiles_path(ctx, f)[:-len("/oci-layout")]
    if len(ctx.files.golden) == 1:
        return runfiles_path(ctx, ctx.files.golden[0])
    fail("oci_diff_test(golden): give the files of an OCI layout (with its oci-layout file) or one archive")

def _oci_diff_test_impl(ctx):
    target = ctx.attr.image
    info = target[OciImageInfo] if OciImageInfo in target else target[OciImageIndexInfo]
    tool = ctx.toolchains[TOOLCHAIN_TYPE].imagewriter
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = script,
        substitutions = {
            "%{runfiles_prelude}": RUNFILES_PRELUDE,
            "%{tool}": runfiles_path(ctx, tool.binary.executable),
            "%{golden}": _golden_path(ctx),
            "%{image}": runfiles_path(ctx, info.layout),
            "%{image_short_path}": info.layout.short_path,
        },
        is_executable = True,
    )
    runfiles = ctx.runfiles(
        files = [info.layout, tool.binary.executable] + ctx.files.golden,
        transitive_files = tool.runtime_files,
    )
    return [DefaultInfo(executable = script, runfiles = runfiles)]

oci_diff_test = rule(
    implementation = _oci_diff_test_impl,
    doc = """Passes when an image is identical to a pinned golden layout.

When it is not, the log is `imagewriter diff GOLDEN IMAGE`: each cause in one
line (a file's mode in a layer, a config field as a JSON path, a gzip header
field), not just two digests.""",
    attrs = {
        "image": attr.label(
            mandatory = True,
            providers = [[OciImageInfo], [OciImageIndexInfo]],
            doc = "The oci_image or oci_image_index under test.",
        ),
        "golden": attr.label_list(
            mandatory = True,
            allow_files = True,
            doc = "The golden image: every file of an OCI layout directory (e.g. a glob), or one oci-/docker-archive.",
        ),
        "_template": attr.label(default = ":diff_test.sh.tpl", allow_single_file = True),
    },
    test = True,
    toolchains = [TOOLCHAIN_TYPE],
)
