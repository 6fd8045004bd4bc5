"""The imagewriter toolchain: which binary the rules run."""

load(":providers.bzl", "ImagewriterToolchainInfo")

TOOLCHAIN_TYPE = "@imagewriter//rules:toolchain_type"

def _imagewriter_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(
        imagewriter = ImagewriterToolchainInfo(binary = ctx.attr.binary[DefaultInfo].files_to_run),
    )]

imagewriter_toolchain = rule(
    implementation = _imagewriter_toolchain_impl,
    doc = "Declares an imagewriter binary, built from source or prebuilt.",
    attrs = {
        "binary": attr.label(
            mandatory = True,
            executable = True,
            cfg = "exec",
            doc = "The imagewriter executable, built for the execution platform.",
        ),
    },
)

def imagewriter_binary(ctx):
    """The FilesToRunProvider of the resolved imagewriter binary."""
    return ctx.toolchains[TOOLCHAIN_TYPE].imagewriter.binary
