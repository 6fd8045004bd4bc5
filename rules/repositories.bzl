"""Workspace macros for imagewriter. Nothing here downloads.

    load("@imagewriter//rules:repositories.bzl",
         "imagewriter_dependencies", "imagewriter_register_toolchains")
    imagewriter_dependencies()
    imagewriter_register_toolchains()
"""

load("//rules/private:local_repository.bzl", "SYSTEM_LIBRARIES", "mirror_directory", "system_library")

# Repositories that Bazel 4.2.3's @bazel_tools needs, or that BUILD files
# load native rules from (as Bazel 8 requires), shimmed locally.
_SHIMS = ["rules_cc", "rules_java", "rules_python", "rules_shell", "remote_coverage_tools"]

def _maybe(rule, name, **kwargs):
    if not native.existing_rule(name):
        rule(name = name, **kwargs)

def imagewriter_dependencies():
    """Declares every external repository imagewriter needs, all local."""
    for shim in _SHIMS:
        _maybe(
            mirror_directory,
            name = shim,
            marker = Label("//third_party/%s:WORKSPACE" % shim),
        )

    # From Debian's bazel-platforms and bazel-skylib.
    _maybe(native.local_repository, name = "platforms", path = "/usr/share/bazel/tools/platforms")
    _maybe(native.local_repository, name = "bazel_skylib", path = "/usr/share/bazel/tools/skylib")

    for lib in SYSTEM_LIBRARIES:
        _maybe(
            system_library,
            name = "system_" + lib,
            path = "/usr",
            build_file = Label("//third_party:%s.BUILD" % lib),
        )

# A WORKSPACE macro that registers, not a BUILD macro that makes targets: it
# has nothing to name.
# buildifier: disable=unnamed-macro
def imagewriter_register_toolchains():
    """Registers the imagewriter toolchain built from source."""
    native.register_toolchains(str(Label("//rules:default_toolchain")))
