"""Repository rules for what imagewriter takes from this machine, not a network.

Both locate imagewriter's own files through labels, never through a path
relative to the main workspace or a repository name: imagewriter may be an
external repository under any name.
"""

# Debian -dev packages, each described by third_party/<name>.BUILD and
# declared as the repository system_<name>.
SYSTEM_LIBRARIES = ["absl", "re2", "zlib", "zstd", "libdeflate", "boringssl", "protobuf", "googletest", "benchmark"]

def _mirror_directory_impl(rctx):
    marker = rctx.path(rctx.attr.marker)
    for child in marker.dirname.readdir():
        rctx.symlink(child, child.basename)

mirror_directory = repository_rule(
    implementation = _mirror_directory_impl,
    doc = "A directory shipped inside imagewriter, as a repository of its own.",
    attrs = {
        "marker": attr.label(
            mandatory = True,
            doc = "A file in the directory to mirror, usually its WORKSPACE.",
        ),
    },
    local = True,
)

def _system_library_impl(rctx):
    for child in rctx.path(rctx.attr.path).readdir():
        rctx.symlink(child, child.basename)
    rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)
    rctx.symlink(rctx.attr.build_file, "BUILD.bazel")

    # The BUILD file loads the helpers from its own repository: a load of
    # imagewriter's copy would have to spell imagewriter's repository name.
    rctx.symlink(rctx.attr._multiarch, "multiarch.bzl")

system_library = repository_rule(
    implementation = _system_library_impl,
    doc = """A system directory (/usr) with a BUILD file from third_party/.

Like new_local_repository, plus multiarch.bzl next to the BUILD file.""",
    attrs = {
        "path": attr.string(mandatory = True, doc = "Absolute path of the directory."),
        "build_file": attr.label(mandatory = True, allow_single_file = True, doc = "Its BUILD file."),
        "_multiarch": attr.label(default = Label("//third_party:multiarch.bzl")),
    },
    local = True,
)
