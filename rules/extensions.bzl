"""Module extensions for Bzlmod (Bazel 7 and 8). UNTESTED.

This machine has Bazel 4.2.3 only, which ignores MODULE.bazel and cannot
load this file: it is written to Bazel 7 and 8's documented API and checked
by buildifier, but no build has run it. WORKSPACE users keep
rules/repositories.bzl, which the tests do run.

`imagewriter`: declares the system_<lib> repositories (Debian's -dev
packages under /usr, as rules/repositories.bzl does). imagewriter's own
MODULE.bazel uses it and registers the toolchain, so a module that depends
on imagewriter calls nothing. A root module may move the prefix:

    imagewriter = use_extension("@imagewriter//rules:extensions.bzl", "imagewriter")
    imagewriter.system(prefix = "/opt/debian/usr")

`oci`: oci_pull for Bzlmod, with rules_oci's shape:

    oci = use_extension("@imagewriter//rules:extensions.bzl", "oci")
    oci.pull(name = "debian", registry = "index.docker.io", repository = "library/debian", digest = "sha256:...")
    use_repo(oci, "debian")
"""

load("//rules/private:local_repository.bzl", "SYSTEM_LIBRARIES", "system_library")
load("//rules/private:pull.bzl", "PULL_ATTRS", "oci_pull_rule")

_DEFAULT_PREFIX = "/usr"

_system = tag_class(
    doc = "Where the system libraries are installed. Only the root module's tag counts.",
    attrs = {
        "prefix": attr.string(
            default = _DEFAULT_PREFIX,
            doc = "Directory holding include/ and lib/<multiarch triplet>/.",
        ),
    },
)

def _system_prefix(module_ctx):
    """The root module's prefix, else /usr: libraries are the machine's, not a module's."""
    for module in module_ctx.modules:
        if module.is_root and module.tags.system:
            return module.tags.system[0].prefix
    return _DEFAULT_PREFIX

def _imagewriter_impl(module_ctx):
    prefix = _system_prefix(module_ctx)
    for lib in SYSTEM_LIBRARIES:
        system_library(
            name = "system_" + lib,
            path = prefix,
            build_file = Label("//third_party:%s.BUILD" % lib),
        )

imagewriter = module_extension(
    implementation = _imagewriter_impl,
    doc = "The system libraries imagewriter links, as repositories system_<lib>.",
    tag_classes = {"system": _system},
)

_pull = tag_class(
    doc = "One oci_pull: an image or index from a registry, as the repository `name`.",
    attrs = dict(
        PULL_ATTRS,
        name = attr.string(mandatory = True, doc = "Repository name, and the name of its layout target."),
    ),
)

def _oci_impl(module_ctx):
    for module in module_ctx.modules:
        for pull in module.tags.pull:
            # The repository's canonical name differs from `name`; the
            # target named `name` comes from target_name (rules/private/pull.bzl).
            oci_pull_rule(
                name = pull.name,
                target_name = pull.name,
                registry = pull.registry,
                repository = pull.repository,
                digest = pull.digest,
                tag = pull.tag,
                lock_file = pull.lock_file,
                platforms = pull.platforms,
                layer_handling = pull.layer_handling,
            )

oci = module_extension(
    implementation = _oci_impl,
    doc = "oci_pull under Bzlmod: each oci.pull tag becomes a repository.",
    tag_classes = {"pull": _pull},
)
