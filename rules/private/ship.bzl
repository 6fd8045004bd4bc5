"""oci_load and oci_push: get images out of Bazel and into engines and registries."""

load(":providers.bzl", "OciImageIndexInfo", "OciImageInfo")
load(":runfiles.bzl", "RUNFILES_PRELUDE", "runfiles_path")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "run_imagewriter")

def _image(ctx):
    """(layout, digest) of an oci_image or oci_image_index."""
    target = ctx.attr.image
    info = target[OciImageInfo] if OciImageInfo in target else target[OciImageIndexInfo]
    return info.layout, info.digest

def _oci_load_impl(ctx):
    if ctx.attr.format not in ["docker", "oci"]:
        fail("oci_load(format): \"%s\" must be \"docker\" or \"oci\"" % ctx.attr.format)
    layout, _ = _image(ctx)
    tarball = ctx.actions.declare_file(ctx.label.name + ".tar")
    args = ctx.actions.args()
    args.add("archive")
    args.add("--layout", layout.path)
    args.add("--output", tarball)
    args.add("--format", ctx.attr.format)
    args.add_all(ctx.attr.repo_tags, before_each = "--tag")
    if ctx.attr.platform:
        args.add("--platform", ctx.attr.platform)
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = [layout],
        outputs = [tarball],
        mnemonic = "OciArchive",
        progress_message = "Writing %s archive %s" % (ctx.attr.format, tarball.short_path),
    )
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._load_template,
        output = script,
        substitutions = {
            "%{runfiles_prelude}": RUNFILES_PRELUDE,
            "%{tarball}": runfiles_path(ctx, tarball),
        },
        is_executable = True,
    )
    return [
        DefaultInfo(executable = script, files = depset([script]), runfiles = ctx.runfiles(files = [tarball])),
        OutputGroupInfo(tarball = depset([tarball])),
    ]

oci_load = rule(
    implementation = _oci_load_impl,
    doc = """An image as a tarball for `docker load` / `podman load`, and a loader.

`bazel build :x --output_groups=+tarball` writes `<name>.tar`; `bazel run :x`
loads it with $IMAGEWRITER_CONTAINER_CLI, else podman, else docker.""",
    attrs = {
        "image": attr.label(
            mandatory = True,
            providers = [[OciImageInfo], [OciImageIndexInfo]],
            doc = "An oci_image, or an oci_image_index (then `platform` picks one image for the docker format).",
        ),
        "repo_tags": attr.string_list(doc = "name:tag references; each is validated with the Docker reference grammar."),
        "format": attr.string(default = "docker", doc = "\"docker\" (docker/podman load) or \"oci\" (oci-archive, keeps indexes)."),
        "platform": attr.string(doc = "os/arch[/variant] to take from an index for the docker format."),
        "_load_template": attr.label(default = ":load.sh.tpl", allow_single_file = True),
    },
    executable = True,
    toolchains = [TOOLCHAIN_TYPE],
)

def _oci_push_impl(ctx):
    layout, digest = _image(ctx)
    tags = ctx.actions.declare_file(ctx.label.name + ".tags")
    args = ctx.actions.args()
    args.add("refs")
    args.add("--repository", ctx.attr.repository)
    args.add_all(ctx.attr.remote_tags, before_each = "--tag")
    args.add("--output", tags)
    run_imagewriter(
        ctx,
        arguments = [args],
        outputs = [tags],
        mnemonic = "OciPushRefs",
        progress_message = "Checking push references for %s" % ctx.label,
    )
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._push_template,
        output = script,
        substitutions = {
            "%{runfiles_prelude}": RUNFILES_PRELUDE,
            "%{layout}": runfiles_path(ctx, layout),
            "%{digest}": runfiles_path(ctx, digest),
            "%{tags}": runfiles_path(ctx, tags),
            "%{repository}": "'%s'" % ctx.attr.repository.replace("'", ""),
        },
        is_executable = True,
    )
    return [DefaultInfo(
        executable = script,
        files = depset([script]),
        runfiles = ctx.runfiles(files = [layout, digest, tags]),
    )]

oci_push = rule(
    implementation = _oci_push_impl,
    doc = """`bazel run` pushes an image or index with `skopeo copy`, digests preserved.

Run-time flags: --repository, --tag (both replace the attributes), --insecure
(plain HTTP / unverified TLS), and any `skopeo copy` flag. Prints the digest.""",
    attrs = {
        "image": attr.label(mandatory = True, providers = [[OciImageInfo], [OciImageIndexInfo]], doc = "An oci_image or oci_image_index."),
        "repository": attr.string(mandatory = True, doc = "registry[:port]/path, without a tag."),
        "remote_tags": attr.string_list(doc = "Tags to push; none pushes by digest only."),
        "_push_template": attr.label(default = ":push.sh.tpl", allow_single_file = True),
    },
    executable = True,
    toolchains = [TOOLCHAIN_TYPE],
)
