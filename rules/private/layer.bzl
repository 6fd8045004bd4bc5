"""oci_layer and the layer action shared with oci_image."""

load(":providers.bzl", "OciLayerInfo")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "run_imagewriter")

LAYER_EXTENSIONS = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"]
COMPRESSIONS = ["gzip", "estargz", "zstd", "none"]
_BLOB_EXTENSION = {"estargz": ".tar.gz", "gzip": ".tar.gz", "none": ".tar", "zstd": ".tar.zst"}

def is_layer_file(file):
    for ext in LAYER_EXTENSIONS:
        if file.basename.endswith(ext):
            return True
    return False

def layer_action(
        ctx,
        src,
        prefix,
        compression,
        level = -1,
        annotations = {},
        created_by = "",
        comment = "",
        rewrite_timestamp = -1,
        files_spec = None,
        file_inputs = [],
        allow_writes_through_symlinks = False):
    """Runs `imagewriter layer` once on `src` (or on `files_spec`).

    One streaming pass writes the blob, its descriptor and the diffID.

    Args:
      ctx: the calling rule's context; it must declare the imagewriter toolchain.
      src: File, a layer tarball (.tar, .tar.gz, .tar.zst); None with files_spec.
      prefix: output name stem; the blob, descriptor and diffID files extend it.
      compression: "gzip", "estargz", "zstd" or "none".
      level: compression level, or -1 for the codec's default.
      annotations: dict of descriptor annotations.
      created_by: history `created_by` of the layer, kept in the provider.
      comment: history `comment` of the layer, kept in the provider.
      rewrite_timestamp: clamp entry mtimes to this epoch second; -1 keeps them.
      files_spec: File, a JSON list of files to put in the layer, instead of src.
      file_inputs: the Files that files_spec names, as action inputs.
      allow_writes_through_symlinks: accept an entry below a symlink of the
        same tar that points out of the root.

    Returns:
      OciLayerInfo of the blob, its descriptor and its diffID.
    """
    blob = ctx.actions.declare_file(prefix + _BLOB_EXTENSION[compression])
    descriptor = ctx.actions.declare_file(prefix + ".descriptor.json")
    diff_id = ctx.actions.declare_file(prefix + ".diff_id")
    args = ctx.actions.args()
    args.add("layer")
    if files_spec:
        args.add("--files", files_spec)
        inputs = [files_spec] + file_inputs
        what = files_spec.short_path
    else:
        args.add("--input", src)
        inputs = [src]
        what = src.short_path
    if rewrite_timestamp >= 0:
        args.add("--rewrite-timestamp", str(rewrite_timestamp))
    if allow_writes_through_symlinks:
        args.add("--allow-writes-through-symlinks")
    args.add("--output", blob)
    args.add("--descriptor-out", descriptor)
    args.add("--diff-id-out", diff_id)
    args.add("--compression", compression)
    if level >= 0:
        args.add("--level", str(level))
    for key, value in annotations.items():
        args.add("--annotation", "%s=%s" % (key, value))
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = inputs,
        outputs = [blob, descriptor, diff_id],
        mnemonic = "OciLayer",
        progress_message = "Writing layer %s (%s)" % (what, compression),
    )
    return OciLayerInfo(
        blob = blob,
        descriptor = descriptor,
        diff_id = diff_id,
        created_by = created_by,
        comment = comment,
        source_url = None,
    )

# Which files the build graph says are executables. A layer's file modes
# come from here, never from the file system the action runs on: Bazel 4
# makes every input of a remote action executable, so reading the mode bits
# there would give the same action other bytes.
_ExecutablesInfo = provider(
    doc = "Executables of a target and of what it depends on through `_EXECUTABLE_EDGES`.",
    fields = {"files": "depset of File: the executables"},
)

# The attributes through which an executable reaches a runfiles tree.
_EXECUTABLE_EDGES = ["data", "deps", "srcs", "runtime_deps", "tools"]

def _executables_aspect_impl(target, ctx):
    direct = []
    executable = target[DefaultInfo].files_to_run.executable if DefaultInfo in target else None
    if executable:
        direct.append(executable)
    transitive = []
    for name in _EXECUTABLE_EDGES:
        value = getattr(ctx.rule.attr, name, None)
        if value == None:
            continue
        for dep in (value if type(value) == "list" else [value]):
            if type(dep) == "Target" and _ExecutablesInfo in dep:
                transitive.append(dep[_ExecutablesInfo].files)
    return [_ExecutablesInfo(files = depset(direct, transitive = transitive))]

executables_aspect = aspect(
    implementation = _executables_aspect_impl,
    attr_aspects = _EXECUTABLE_EDGES,
    doc = "Collects the executables reachable from a layer's files, for their modes.",
)

def _executables(targets):
    """The set (dict File -> True) of executables among `targets` and their dependencies."""
    files = depset(transitive = [t[_ExecutablesInfo].files for t in targets if _ExecutablesInfo in t])
    return {f: True for f in files.to_list()}

def _in_image(directory, name):
    return (directory.rstrip("/") + "/" + name) if directory else name

def _runfiles_entries(ctx, target, at):
    """Entries for `target`'s runfiles tree at `at`.runfiles/, as Bazel lays it out."""
    runfiles = target[DefaultInfo].default_runfiles
    if not runfiles:
        return []
    root = at + ".runfiles/"
    entries = []
    for f in runfiles.files.to_list():
        path = f.short_path[3:] if f.short_path.startswith("../") else ctx.workspace_name + "/" + f.short_path
        entries.append((root + path, f))
    for link in runfiles.symlinks.to_list():
        entries.append((root + ctx.workspace_name + "/" + link.path, link.target_file))
    for link in runfiles.root_symlinks.to_list():
        entries.append((root + link.path, link.target_file))
    return entries

def _target_entries(ctx, target, path = None):
    """Entries for a target's files: at `path`, or at `directory`/<basename>."""
    entries = []
    for f in target.files.to_list():
        entries.append((path or _in_image(ctx.attr.directory, f.basename), f))
    executable = target[DefaultInfo].files_to_run.executable
    if ctx.attr.include_runfiles and executable:
        at = path or _in_image(ctx.attr.directory, executable.basename)
        entries += _runfiles_entries(ctx, target, at)
    return entries

def _files_spec(ctx):
    """Writes the LayerFiles request for srcs/files/symlinks/empty_dirs; returns (spec, inputs)."""
    placed = []
    for target in ctx.attr.srcs:
        placed += _target_entries(ctx, target)
    for target, path in zip(ctx.attr.files_labels, ctx.attr.files_paths):
        if len(target.files.to_list()) != 1:
            fail("oci_layer(files): %s must be one file for path \"%s\", it has %d" %
                 (target.label, path, len(target.files.to_list())))
        placed += _target_entries(ctx, target, path)
    executables = _executables(ctx.attr.srcs + ctx.attr.files_labels)
    modes = {k.lstrip("/"): v for k, v in ctx.attr.modes.items()}
    used = {}
    entries = []
    for path, f in placed:
        entry = {"path": path, "file": f.path, "executable": f in executables}
        mode = modes.get(path.lstrip("/"))
        if mode != None:
            entry["mode"] = mode
            used[path.lstrip("/")] = True
        entries.append(entry)
    unused = sorted([k for k in modes if k not in used])
    if unused:
        fail("oci_layer(modes): no file is placed at %s" % ", ".join(unused))
    inputs = [f for _, f in placed]
    for path, link in ctx.attr.symlinks.items():
        entries.append({"path": path, "symlink": link})
    for path in ctx.attr.empty_dirs:
        entries.append({"path": _in_image(ctx.attr.directory, path), "directory": True})
    mtime = ctx.attr.mtime
    if mtime < 0:
        mtime = int(ctx.var.get("SOURCE_DATE_EPOCH", "0"))
    request = {
        "entries": entries,
        "mode": ctx.attr.mode,
        "owner": ctx.attr.owner,
        "mtime": mtime,
        "hardlinks": ctx.attr.hardlinks,
    }
    spec = ctx.actions.declare_file(ctx.label.name + ".files.json")
    ctx.actions.write(spec, json.encode(request))
    return spec, inputs

def _oci_layer_impl(ctx):
    if ctx.attr.compression not in COMPRESSIONS:
        fail("oci_layer(compression): \"%s\" is not one of %s" % (ctx.attr.compression, COMPRESSIONS))
    has_files = ctx.attr.srcs or ctx.attr.files_labels or ctx.attr.symlinks or ctx.attr.empty_dirs
    if bool(ctx.file.tar) == bool(has_files):
        fail("oci_layer: give either `tar` or files (`srcs`, `files`, `symlinks`, `empty_dirs`), not both or neither")
    if len(ctx.attr.files_labels) != len(ctx.attr.files_paths):
        fail("oci_layer(files): use the oci_layer macro's `files` dict")
    spec, file_inputs, src = None, [], ctx.file.tar
    if src:
        if not is_layer_file(src):
            fail("oci_layer(tar): %s is not a layer tarball; expected one of %s" % (src.short_path, LAYER_EXTENSIONS))
    else:
        spec, file_inputs = _files_spec(ctx)
    info = layer_action(
        ctx,
        src,
        ctx.label.name,
        ctx.attr.compression,
        ctx.attr.compression_level,
        ctx.attr.annotations,
        ctx.attr.created_by,
        ctx.attr.comment,
        ctx.attr.rewrite_timestamp,
        spec,
        file_inputs,
        ctx.attr.allow_writes_through_symlinks,
    )
    return [
        info,
        DefaultInfo(files = depset([info.blob, info.descriptor, info.diff_id])),
        OutputGroupInfo(blob = depset([info.blob]), descriptor = depset([info.descriptor])),
    ]

oci_layer = rule(
    implementation = _oci_layer_impl,
    doc = """One image layer, from a tarball or from files, in one streaming action.

A tar may be plain, gzip or zstd; its compression is detected from its
bytes. If it already has the requested compression its bytes are used as
they are. Files are written as a deterministic tar (sorted, explicit parent
directories, fixed owner and mtime) and compressed in the same pass.
Outputs: `<name>.tar.gz` (or `.tar.zst`/`.tar`), `<name>.descriptor.json`
and `<name>.diff_id`.""",
    attrs = {
        "tar": attr.label(
            allow_single_file = True,
            doc = "The layer's tarball: .tar, .tar.gz/.tgz or .tar.zst/.tzst. Or use the file attributes.",
        ),
        "srcs": attr.label_list(
            allow_files = True,
            aspects = [executables_aspect],
            doc = "Files placed at `directory`/<basename>.",
        ),
        "files_paths": attr.string_list(doc = "Internal: paths of the macro's `files` dict."),
        "files_labels": attr.label_list(
            allow_files = True,
            aspects = [executables_aspect],
            doc = "Internal: labels of the macro's `files` dict.",
        ),
        "symlinks": attr.string_dict(doc = "Symbolic links: {path in image: target}."),
        "empty_dirs": attr.string_list(doc = "Empty directories, under `directory`."),
        "directory": attr.string(doc = "Directory in the image for `srcs` and `empty_dirs`."),
        "mode": attr.string(doc = "Octal mode for every file, e.g. \"0755\". Default: 0755 for the executables of targets (a binary, and binaries in its runfiles), else 0644; never the file system's mode bits."),
        "modes": attr.string_dict(doc = "Octal mode of single files, by path in the image: {\"/app/run.sh\": \"0755\"}. Wins over `mode`."),
        "owner": attr.string(default = "0:0", doc = "Numeric uid:gid of every entry."),
        "mtime": attr.int(default = -1, doc = "mtime of every entry; -1: --define=SOURCE_DATE_EPOCH, else 0."),
        "include_runfiles": attr.bool(doc = "Also place each executable's runfiles tree at <path>.runfiles/, so it runs in the container."),
        "hardlinks": attr.bool(doc = "Store a file placed at several paths once, as hard links."),
        "allow_writes_through_symlinks": attr.bool(doc = "For `tar`: accept an entry under a symlink of the same tar that points out of the root (`lib -> /etc`, then `lib/passwd`). Refused by default: an extractor that follows the link on the host writes outside the root."),
        "rewrite_timestamp": attr.int(default = -1, doc = "For `tar`: clamp every time in it to this epoch (BuildKit's rewrite-timestamp); -1 = off."),
        "compression": attr.string(
            default = "gzip",
            doc = "Blob compression: gzip, estargz (gzip laid out for lazy pulling, with a TOC; OCI media types only), zstd or none.",
        ),
        "compression_level": attr.int(
            default = -1,
            doc = "gzip 0-12 (0: stored, the bytes of Go's and BuildKit's level 0; 1-12 libdeflate levels, default 2), estargz 0-12 (0: BuildKit's bytes exactly; default 2) or zstd 1-19 (default 3); -1 for the default.",
        ),
        "annotations": attr.string_dict(doc = "Annotations on the layer's descriptor."),
        "created_by": attr.string(doc = "History `created_by` for this layer; default: `bazel build <image label>`."),
        "comment": attr.string(doc = "History `comment` for this layer."),
    },
    toolchains = [TOOLCHAIN_TYPE],
)
