"""Analysis tests for the rules: providers, outputs, action inputs, errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "OciImageIndexInfo", "OciImageInfo", "OciLayerInfo")

def _basenames(files):
    return sorted([f.basename for f in files])

def _action(env, mnemonic):
    for action in analysistest.target_actions(env):
        if action.mnemonic == mnemonic:
            return action
    fail("no %s action" % mnemonic)

def _image_providers_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[OciImageInfo]
    asserts.equals(env, "image.manifest.json", info.manifest.basename)
    asserts.equals(env, "image.config.json", info.config.basename)
    asserts.equals(env, "image.digest", info.digest.basename)
    asserts.true(env, info.layout.is_directory, "layout must be a tree artifact")
    asserts.equals(env, [info.layout], target[DefaultInfo].files.to_list())
    asserts.equals(env, 1, len(info.layers))
    asserts.equals(env, "linux/amd64", info.platform)
    asserts.equals(env, "oci", info.media_types)
    asserts.equals(env, [info.layers[0].blob], info.layer_blobs.to_list())
    return analysistest.end(env)

image_providers_test = analysistest.make(_image_providers_test_impl)

def _image_reads_no_blob_test_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[OciImageInfo]
    blobs = [b.path for b in info.layer_blobs.to_list()]
    image = _action(env, "OciImage")
    inputs = [f.path for f in image.inputs.to_list()]
    for blob in blobs:
        asserts.false(env, blob in inputs, "the image action must not read layer blob " + blob)
    for layer in info.layers:
        asserts.true(env, layer.descriptor.path in inputs, "descriptor is an input")
        asserts.true(env, layer.diff_id.path in inputs, "diffID is an input")
    layout = _action(env, "OciLayout")
    layout_inputs = [f.path for f in layout.inputs.to_list()]
    for blob in blobs:
        asserts.true(env, blob in layout_inputs, "the layout action links every blob")
    return analysistest.end(env)

image_reads_no_blob_test = analysistest.make(_image_reads_no_blob_test_impl)

def _raw_tars_get_layer_actions_test_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[OciImageInfo]
    layer_actions = [a for a in analysistest.target_actions(env) if a.mnemonic == "OciLayer"]
    asserts.equals(env, 2, len(layer_actions))
    asserts.equals(
        env,
        ["raw.layer0.tar.zst", "raw.layer1.tar.zst"],
        _basenames([layer.blob for layer in info.layers]),
    )
    return analysistest.end(env)

raw_tars_get_layer_actions_test = analysistest.make(_raw_tars_get_layer_actions_test_impl)

def _layer_test_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[OciLayerInfo]
    asserts.equals(env, "layer.tar.zst", info.blob.basename)
    action = _action(env, "OciLayer")
    asserts.true(env, "--compression" in action.argv and "zstd" in action.argv)
    asserts.true(env, "--level" in action.argv and "7" in action.argv)
    asserts.true(env, "--allow-writes-through-symlinks" in action.argv)
    return analysistest.end(env)

layer_test = analysistest.make(_layer_test_impl)

def _index_test_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[OciImageIndexInfo]
    asserts.equals(env, 2, len(info.images))
    index = _action(env, "OciIndex")
    for f in index.inputs.to_list():
        asserts.false(env, f.basename.endswith(".tar.gz"), "the index action reads no blob")
    return analysistest.end(env)

index_test = analysistest.make(_index_test_impl)

def _ref_name_test_impl(ctx):
    env = analysistest.begin(ctx)
    argv = _action(env, "OciLayout").argv
    names = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--ref-name"]
    asserts.equals(env, [ctx.attr.expected] if ctx.attr.expected else [], names)
    return analysistest.end(env)

# The layout action's --ref-name: `expected`, or none when it is "".
ref_name_test = analysistest.make(_ref_name_test_impl, attrs = {"expected": attr.string()})

def _failure_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, ctx.attr.expected)
    return analysistest.end(env)

failure_test = analysistest.make(
    _failure_test_impl,
    expect_failure = True,
    attrs = {"expected": attr.string()},
)

def _check_runfiles_copy(env, target, reads, not_reads = []):
    """The OciRunfiles action copies `reads` into the runfiles.

    Under --remote_download_minimal its output is the only place the run
    script finds the files (docs/remote.md). That it runs locally and
    uncached is checked by tests/remote/run.sh (Bazel 4's Starlark Action
    has no execution_info).
    """
    copy = _action(env, "OciRunfiles")
    inputs = _basenames(copy.inputs.to_list())
    for name in reads:
        asserts.true(env, name in inputs, "OciRunfiles does not copy %s" % name)
    for name in not_reads:
        asserts.false(env, name in inputs, "OciRunfiles must not copy %s" % name)
    outputs = copy.outputs.to_list()
    asserts.equals(env, [target.label.name + ".runfiles_copy"], _basenames(outputs))
    asserts.true(env, outputs[0] in target[DefaultInfo].default_runfiles.files.to_list())

def _load_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    tarballs = target[OutputGroupInfo].tarball.to_list()
    name = target.label.name
    asserts.equals(env, [name + ".tar"], _basenames(tarballs))
    archive = _action(env, "OciArchive")
    asserts.true(env, "--tag" in archive.argv and "example/app:1" in archive.argv)
    asserts.true(env, "--format" in archive.argv and "docker" in archive.argv)
    names = _action(env, "OciLoadRefs")
    asserts.true(env, "--repo-tag" in names.argv and "example/app:1" in names.argv)

    # The default output is the loader script. What `bazel run` builds is
    # its runfiles: the incremental loader reads the image's layout and must
    # not make Bazel write the archive; the other one loads the archive.
    asserts.equals(env, [name + ".sh"], _basenames(target[DefaultInfo].files.to_list()))
    runfiles = target[DefaultInfo].default_runfiles.files.to_list()
    asserts.equals(env, ctx.attr.incremental, "image" in _basenames(runfiles))
    asserts.equals(env, not ctx.attr.incremental, tarballs[0] in runfiles)
    asserts.true(env, name + ".names" in _basenames(runfiles))
    if ctx.attr.incremental:
        _check_runfiles_copy(env, target, ["image", name + ".names", "imagewriter"], [name + ".tar"])
    else:
        _check_runfiles_copy(env, target, [name + ".tar", name + ".names"], ["image", "imagewriter"])
    return analysistest.end(env)

load_test = analysistest.make(_load_test_impl, attrs = {"incremental": attr.bool(default = True)})

def _push_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    refs = _action(env, "OciPushRefs")
    asserts.true(env, "localhost:5000/app" in refs.argv and "v1" in refs.argv)
    runfiles = _basenames(target[DefaultInfo].default_runfiles.files.to_list())
    for name in ["image", "image.digest", "push.tags"]:
        asserts.true(env, name in runfiles, "%s missing from the push runfiles" % name)
    _check_runfiles_copy(env, target, ["image", "image.digest", "push.tags", "push.referrers", "imagewriter"])
    return analysistest.end(env)

push_test = analysistest.make(_push_test_impl)

def _shallow_base_test_impl(ctx):
    env = analysistest.begin(ctx)
    info = analysistest.target_under_test(env)[OciImageInfo]
    blobs = [b.path for b in info.layer_blobs.to_list()]
    asserts.equals(env, [ctx.attr.want_blob], _basenames(info.layer_blobs.to_list()))
    for mnemonic in ["OciBase", "OciImage"]:
        inputs = [f.path for f in _action(env, mnemonic).inputs.to_list()]
        for blob in blobs:
            asserts.false(env, blob in inputs, "%s must not read the pulled layer %s" % (mnemonic, blob))
    layouts = {a.outputs.to_list()[0].basename: a for a in analysistest.target_actions(env) if a.mnemonic == "OciLayout"}
    name = analysistest.target_under_test(env).label.name
    asserts.equals(env, sorted([name, name + ".sparse"]), sorted(layouts.keys()))
    layout_inputs = [f.path for f in layouts[name].inputs.to_list()]
    sparse_inputs = [f.path for f in layouts[name + ".sparse"].inputs.to_list()]
    for blob in blobs:
        asserts.true(env, blob in layout_inputs, "the layout action reads the pulled layer")
        asserts.false(env, blob in sparse_inputs, "the sparse layout must not read the pulled layer")
    asserts.true(env, "--absent" in layouts[name + ".sparse"].argv, "the sparse layout declares the pulled layer absent")
    asserts.equals(env, layouts[name + ".sparse"].outputs.to_list()[0], info.sparse_layout)
    return analysistest.end(env)

shallow_base_test = analysistest.make(_shallow_base_test_impl, attrs = {"want_blob": attr.string()})

def _shallow_push_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    runfiles = _basenames(target[DefaultInfo].default_runfiles.files.to_list())
    for name in [ctx.attr.image + ".sparse", target.label.name + ".pulled_blobs", "fetch_blob.py", "arm64.json"]:
        asserts.true(env, name in runfiles, "%s missing from the push runfiles" % name)
    for name in [ctx.attr.image, ctx.attr.want_blob]:
        asserts.false(env, name in runfiles, "%s must not be in the push runfiles: building it fetches layers" % name)
    listing = [a for a in analysistest.target_actions(env) if a.mnemonic == "FileWrite" and
                                                              a.outputs.to_list()[0].basename.endswith(".pulled_blobs")]
    asserts.true(env, ctx.attr.want_url in listing[0].content, "the pulled_blobs file names the layer's URL")
    return analysistest.end(env)

shallow_push_test = analysistest.make(_shallow_push_test_impl, attrs = {
    "image": attr.string(),
    "want_blob": attr.string(),
    "want_url": attr.string(),
})
