"""oci_load and oci_push: get images out of Bazel and into engines and registries."""

load(":providers.bzl", "OciImageIndexInfo", "OciImageInfo")
load(":runfiles.bzl", "RUNFILES_PRELUDE", "runfiles_path")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "run_imagewriter")

def _info(ctx):
    """The OciImageInfo or OciImageIndexInfo of the `image` attribute."""
    target = ctx.attr.image
    return target[OciImageInfo] if OciImageInfo in target else target[OciImageIndexInfo]

def _push_layout(ctx):
    """(layout, digest of its root, pulled layers) that oci_push reads.

    FROM a shallow base, the sparse layout: it lacks the pulled layers'
    blobs, which the push takes from their registry only if the destination
    lacks them. Otherwise the full layout, and no pulled layers.
    """
    info = _info(ctx)
    if OciImageInfo in ctx.attr.image:
        layers, digest = info.layers, info.root_digest
    else:
        layers, digest = [layer for image in info.images for layer in image.layers], info.digest
    if not info.shallow:
        return info.layout, digest, []
    pulled = {}
    for layer in layers:
        if layer.source_url:
            pulled[layer.source_url] = layer
    return info.sparse_layout, digest, pulled.values()

def _pulled_blobs(ctx, layers):
    """A file of "digest url descriptor" lines (runfiles paths), one per pulled layer.

    The URL is oci_blob's /v2/<repository>/blobs/<digest>, so it ends with
    the digest; the descriptor gives fetch_blob.py the size.
    """
    listing = ctx.actions.declare_file(ctx.label.name + ".pulled_blobs")
    ctx.actions.write(listing, "".join([
        "%s %s %s\n" % (layer.source_url.rsplit("/", 1)[1], layer.source_url, runfiles_path(ctx, layer.descriptor))
        for layer in layers
    ]))
    return listing

def _referrers(ctx):
    """A file of "layout tag-file" lines (runfiles paths), and the files it names.

    Each line is one attested image's OCI 1.1 referrers-tag layout, which
    oci_push copies to `sha256-<hex>` for registries without the referrers API.
    """
    referrers = _info(ctx).referrers
    listing = ctx.actions.declare_file(ctx.label.name + ".referrers")
    ctx.actions.write(listing, "".join([
        "%s %s\n" % (runfiles_path(ctx, r.layout), runfiles_path(ctx, r.tag))
        for r in referrers
    ]))
    return listing, [r.layout for r in referrers] + [r.tag for r in referrers]

def _archive_flags(ctx):
    """`imagewriter archive` flags other than --layout and --output."""
    flags = []
    for tag in ctx.attr.repo_tags:
        flags.extend(["--tag", tag])
    flags.extend(["--format", ctx.attr.format])
    if ctx.attr.platform:
        flags.extend(["--platform", ctx.attr.platform])
    return flags

def _skopeo_platform_flags(platform):
    """skopeo's flags that pick `platform` (os/arch[/variant]) from an index."""
    if not platform:
        return []
    parts = platform.split("/")
    flags = ["--override-os", parts[0]]
    if len(parts) > 1:
        flags.extend(["--override-arch", parts[1]])
    if len(parts) > 2:
        flags.extend(["--override-variant", parts[2]])
    return flags

def _shell_words(words):
    return " ".join(["'%s'" % w.replace("'", "'\\''") for w in words])

def _load_archive(ctx, layout):
    """The OciArchive action: `<name>.tar`, for `docker load` / `podman load`."""
    tarball = ctx.actions.declare_file(ctx.label.name + ".tar")
    args = ctx.actions.args()
    args.add("archive")
    args.add("--layout", layout.path)
    args.add("--output", tarball)
    args.add_all(_archive_flags(ctx))
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = [layout],
        outputs = [tarball],
        mnemonic = "OciArchive",
        progress_message = "Writing %s archive %s" % (ctx.attr.format, tarball.short_path),
    )
    return tarball

def _load_names(ctx):
    """The OciLoadRefs action: repo_tags checked at build time, in full, one a line."""
    names = ctx.actions.declare_file(ctx.label.name + ".names")
    args = ctx.actions.args()
    args.add("refs")
    args.add_all(ctx.attr.repo_tags, before_each = "--repo-tag")
    args.add("--output", names)
    run_imagewriter(
        ctx,
        arguments = [args],
        outputs = [names],
        mnemonic = "OciLoadRefs",
        progress_message = "Checking repo tags of %s" % ctx.label,
    )
    return names

# Hard-links each source (a file or a directory, symlinks followed) to
# $out/<destination>; copies it where a link is impossible (another file
# system). Arguments: out, then source/destination pairs.
_LOCAL_COPY = """set -eu
out=$1
shift
while [ $# -gt 0 ]; do
  dest=$out/$2
  mkdir -p "$(dirname "$dest")"
  cp -RL --link "$1" "$dest" 2>/dev/null || { rm -rf "$dest"; cp -RL "$1" "$dest"; }
  shift 2
done
"""

# Where the local copy holds the tool: below this directory, at its exec
# path, and its runtime files (libcrypto) at theirs, so that the binary's
# $ORIGIN runpath finds them as it does in bazel-out. Runfiles paths would
# not do for a tool from another repository: there the runpath climbs out
# of the copy.
_COPY_TOOL_DIR = "_imagewriter_tool/"

def _local_copy(ctx, files, symlinks, tool):
    """The OciRunfiles action: a local copy of what a `bazel run` script reads.

    Under --remote_download_minimal, Bazel 4.2.3 makes the runfiles links
    of the target `bazel run` runs but does not download what they point
    at (the image's layout, an archive, the tool). It does download the
    inputs of an action that executes on this machine, but deletes them
    again when the command ends (RemoteModule.afterCommand), before the
    client starts the script. An action's own outputs stay. So this action
    executes here and hard-links its inputs into its output directory,
    which the script then reads (it is in the runfiles). It must execute
    every time its inputs change and never come from a cache, whose hit
    would download nothing: `no-remote` (no remote execution, no
    remote-cache lookup or upload) and `no-cache` (no disk cache). Bazel's
    own action cache still skips it while its inputs are unchanged, and
    then its output is still here. Hard links cost no space.

    This is the rules' only action that needs a shell and coreutils (`cp`)
    and the only one that never runs remotely; it needs them on the
    machine that runs `bazel run`, whose scripts use bash and coreutils
    anyway (docs/remote.md, "What runs remotely").

    Args:
      ctx: the oci_load or oci_push context.
      files: the script's runfiles files; copied at their runfiles paths.
      symlinks: the script's runfiles symlinks, {path: File}; likewise.
      tool: the toolchain's ImagewriterToolchainInfo, or None.

    Returns:
      (the output directory `<name>.runfiles_copy`, whose runfiles path is
      the root the script reads from; the tool's path in it, or None).
    """
    local = ctx.actions.declare_directory(ctx.label.name + ".runfiles_copy")
    copies = {runfiles_path(ctx, f): f for f in files}
    for path, f in symlinks.items():
        copies[ctx.workspace_name + "/" + path] = f
    tool_path = None
    if tool:
        for f in tool.runtime_files.to_list() + [tool.binary.executable]:
            copies[_COPY_TOOL_DIR + f.path] = f
        tool_path = _COPY_TOOL_DIR + tool.binary.executable.path
    args = ctx.actions.args()
    args.add(local.path)
    for path, f in copies.items():
        args.add_all([f.path, path])
    ctx.actions.run_shell(
        command = _LOCAL_COPY,
        arguments = [args],
        inputs = copies.values(),
        outputs = [local],
        mnemonic = "OciRunfiles",
        progress_message = "Copying what `bazel run %s` reads" % ctx.label,
        execution_requirements = {"no-remote": "1", "no-cache": "1"},
    )
    return local, tool_path

def _with_tool(ctx, files, tool, symlinks = {}):
    """Runfiles of a load or push script: files, and the imagewriter binary.

    The binary goes in as a plain runfile at its own path: under
    --remote_download_toplevel Bazel 4 downloads a run target's runfiles
    files, but not the targets of root symlinks. A test that holds this
    script and the target-configuration tool gets Bazel's "overwrote
    runfile" note for src/cli/imagewriter; both are the same program.
    """
    return ctx.runfiles(files = files + [tool.binary.executable], transitive_files = tool.runtime_files, symlinks = symlinks)

def _oci_load_impl(ctx):
    if ctx.attr.format not in ["docker", "oci"]:
        fail("oci_load(format): \"%s\" must be \"docker\" or \"oci\"" % ctx.attr.format)
    layout = _info(ctx).layout
    tarball = _load_archive(ctx, layout)
    names = _load_names(ctx)
    tool = ctx.toolchains[TOOLCHAIN_TYPE].imagewriter

    # What `bazel run` builds is what the runfiles hold: the incremental
    # loader reads the image's layout and never needs the archive.
    if ctx.attr.incremental:
        source = layout
        local, local_tool = _local_copy(ctx, [layout, names], {}, tool)
        runfiles = _with_tool(ctx, [layout, names, local], tool)
    else:
        source = tarball
        local, local_tool = _local_copy(ctx, [tarball, names], {}, None)
        runfiles = ctx.runfiles(files = [tarball, names, local])
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._load_template,
        output = script,
        substitutions = {
            "%{runfiles_prelude}": RUNFILES_PRELUDE,
            "%{local}": runfiles_path(ctx, local),
            "%{local_tool}": local_tool or "",
            "%{source}": runfiles_path(ctx, source),
            "%{incremental}": "true" if ctx.attr.incremental else "false",
            "%{names}": runfiles_path(ctx, names),
            "%{tool}": runfiles_path(ctx, tool.binary.executable),
            "%{archive_flags}": _shell_words(_archive_flags(ctx)),
            "%{platform_flags}": _shell_words(_skopeo_platform_flags(ctx.attr.platform)),
        },
        is_executable = True,
    )
    return [
        DefaultInfo(executable = script, files = depset([script]), runfiles = runfiles),
        OutputGroupInfo(tarball = depset([tarball])),
    ]

oci_load = rule(
    implementation = _oci_load_impl,
    doc = """Loads an image into podman or docker with `bazel run`; also its tarball.

`bazel run :x` loads into $IMAGEWRITER_CONTAINER_CLI, else podman, else
docker. Into podman (with skopeo on PATH) it copies the image's OCI layout
into containers-storage, which stores only the layers it lacks; into docker,
or with `-- --archive`, `<engine> load` reads a docker archive. With
`incremental = False`, that archive is the one Bazel builds. `bazel build :x
--output_groups=+tarball` writes `<name>.tar`.""",
    attrs = {
        "image": attr.label(
            mandatory = True,
            providers = [[OciImageInfo], [OciImageIndexInfo]],
            doc = "An oci_image, or an oci_image_index (then `platform` picks one image for the docker format).",
        ),
        "repo_tags": attr.string_list(doc = "name:tag references; each is validated with the Docker reference grammar."),
        "format": attr.string(default = "docker", doc = "\"docker\" (docker/podman load) or \"oci\" (oci-archive, keeps indexes)."),
        "platform": attr.string(doc = "os/arch[/variant] to take from an index for the docker format."),
        "incremental": attr.bool(
            default = True,
            doc = """True: `bazel run` reads the image's layout and builds no archive: into
podman through containers-storage (only missing layers are stored), into
docker from an archive written at run time. False: `bazel run` loads the
archive Bazel builds (a cached output of this target, which
--remote_download_toplevel fetches).""",
        ),
        "_load_template": attr.label(default = ":load.sh.tpl", allow_single_file = True),
    },
    executable = True,
    toolchains = [TOOLCHAIN_TYPE],
)

def _refs_action(ctx, tags, output):
    """Checks `tags` against the Docker reference grammar; writes them one a line."""
    args = ctx.actions.args()
    args.add("refs")
    args.add("--repository", ctx.attr.repository)
    args.add_all(tags, before_each = "--tag")
    args.add("--output", output)
    run_imagewriter(
        ctx,
        arguments = [args],
        outputs = [output],
        mnemonic = "OciPushRefs",
        progress_message = "Checking push references for %s" % ctx.label,
    )

def _platform_tags(ctx):
    """Files for `platform_tags`: the tags, and "os arch variant digest-file" per tag.

    Returns:
      (tags file, platforms file, {runfiles path: digest File}). Each digest
      file is an image's, known only once built; `bazel run` reads it. Every
      platform's copy of one image has the same short path, so each goes into
      the runfiles under a path of its own, <name>.platform_digests/<n>.
      Everything here is decided at analysis: no action, so nothing a remote
      worker must provide (a shell, cat).
    """
    tags_file = ctx.actions.declare_file(ctx.label.name + ".platform_tags")
    platforms_file = ctx.actions.declare_file(ctx.label.name + ".platforms")
    tags, lines, digests, images = [], [], {}, {}
    if ctx.attr.platform_tags:
        if OciImageIndexInfo not in ctx.attr.image:
            fail("oci_push(platform_tags): %s is one image; platform tags need an oci_image_index" %
                 ctx.attr.image.label)
        images = {i.platform: i for i in ctx.attr.image[OciImageIndexInfo].images}
    for platform, platform_tags in ctx.attr.platform_tags.items():
        if platform not in images:
            fail("oci_push(platform_tags): %s has no %s image; it has %s" %
                 (ctx.attr.image.label, platform, ", ".join(sorted(images))))
        link = "%s.platform_digests/%d" % (ctx.label.name, len(digests))
        if ctx.label.package:
            link = ctx.label.package + "/" + link
        digests[link] = images[platform].digest
        parts = platform.split("/") + ["-"]
        for tag in platform_tags:
            tags.append(tag)
            lines.append("%s %s %s %s/%s\n" % (parts[0], parts[1], parts[2], ctx.workspace_name, link))
    _refs_action(ctx, tags, tags_file)
    ctx.actions.write(platforms_file, "".join(lines))
    return tags_file, platforms_file, digests

def _oci_push_impl(ctx):
    layout, digest, pulled = _push_layout(ctx)
    pulled_blobs = _pulled_blobs(ctx, pulled)
    tool = ctx.toolchains[TOOLCHAIN_TYPE].imagewriter
    tags = ctx.actions.declare_file(ctx.label.name + ".tags")
    _refs_action(ctx, ctx.attr.remote_tags, tags)
    platform_tags, platforms, platform_digests = _platform_tags(ctx)
    referrers, referrer_files = _referrers(ctx)

    # The tool checks run-time names; fetch_blob.py fetches the pulled
    # layers the destination lacks.
    files = ([layout, digest, tags, platform_tags, platforms, referrers, pulled_blobs, ctx.file._fetch] +
             referrer_files + [layer.descriptor for layer in pulled])
    local, local_tool = _local_copy(ctx, files, platform_digests, tool)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._push_template,
        output = script,
        substitutions = {
            "%{runfiles_prelude}": RUNFILES_PRELUDE,
            "%{local}": runfiles_path(ctx, local),
            "%{local_tool}": local_tool,
            "%{layout}": runfiles_path(ctx, layout),
            "%{digest}": runfiles_path(ctx, digest),
            "%{tags}": runfiles_path(ctx, tags),
            "%{platform_tags}": runfiles_path(ctx, platform_tags),
            "%{platforms}": runfiles_path(ctx, platforms),
            "%{referrers}": runfiles_path(ctx, referrers),
            "%{repository}": "'%s'" % ctx.attr.repository.replace("'", ""),
            "%{tool}": runfiles_path(ctx, tool.binary.executable),
            "%{pulled_blobs}": runfiles_path(ctx, pulled_blobs),
            "%{fetch}": runfiles_path(ctx, ctx.file._fetch),
        },
        is_executable = True,
    )
    return [DefaultInfo(
        executable = script,
        files = depset([script]),
        runfiles = _with_tool(ctx, files + [local], tool, platform_digests),
    )]

oci_push = rule(
    implementation = _oci_push_impl,
    doc = """`bazel run` pushes an image or index with `skopeo copy`, digests preserved.

Run-time flags: --repository, --tag (both replace the attributes), --insecure
(plain HTTP / unverified TLS), and any `skopeo copy` flag. Prints the digest.
FROM a shallow oci_pull it reads the image's sparse layout, so a base layer
is downloaded (at run time, from the registry it was pulled from) only when
the destination lacks it.""",
    attrs = {
        "image": attr.label(mandatory = True, providers = [[OciImageInfo], [OciImageIndexInfo]], doc = "An oci_image or oci_image_index."),
        "repository": attr.string(mandatory = True, doc = "registry[:port]/path, without a tag."),
        "remote_tags": attr.string_list(doc = "Tags to push; none pushes by digest only."),
        "platform_tags": attr.string_list_dict(doc = "For an oci_image_index: {\"os/arch[/variant]\": [tags]}; " +
                                                     "each tag names that platform's image alone, pushed after the index " +
                                                     "with its digest kept, e.g. {\"linux/arm64\": [\"1.0.0-arm64\"]}. " +
                                                     "The run-time --tag replaces remote_tags only."),
        "_push_template": attr.label(default = ":push.sh.tpl", allow_single_file = True),
        "_fetch": attr.label(default = ":fetch_blob.py", allow_single_file = True),
    },
    executable = True,
    toolchains = [TOOLCHAIN_TYPE],
)
