"""The imagewriter toolchain: which binary the rules run."""

load(":providers.bzl", "ImagewriterToolchainInfo")

# A string, as Bazel 4's rule(toolchains = ...) takes no Label; str() of a
# Label names this repository under whatever name the workspace gave it.
TOOLCHAIN_TYPE = str(Label("//rules:toolchain_type"))

def _imagewriter_toolchain_impl(ctx):
    default = ctx.attr.binary[DefaultInfo]
    return [platform_common.ToolchainInfo(
        imagewriter = ImagewriterToolchainInfo(
            binary = default.files_to_run,
            runtime_files = default.default_runfiles.files,
        ),
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

def run_imagewriter(ctx, **kwargs):
    """ctx.actions.run of the resolved imagewriter, with what it loads at run time.

    The binary finds the shared libraries Bazel ships with it (BoringSSL's
    libcrypto) through an $ORIGIN-relative runpath into bazel-out/<cfg>/bin/
    _solib_<cpu>/. Bazel stages a tool's runfiles only under
    <tool>.runfiles/, so locally the runpath works only because the loader
    follows the sandbox's symlink back to the real output tree; a remote
    executor has no such tree. Listing the runfiles' files as tools puts
    them at their own paths in every action's input root.
    """
    info = ctx.toolchains[TOOLCHAIN_TYPE].imagewriter
    ctx.actions.run(
        executable = info.binary,
        tools = info.runtime_files,
        **kwargs
    )
