"""The targets of a shallow oci_pull repository: layer blobs fetched by actions.

A repository is fetched whole when any of its targets is analyzed, so a
layer blob downloaded by the repository rule would be downloaded by every
build that names the base. Here the repository holds the metadata only, and
each layer blob is the output of its own action: Bazel runs that action, and
speaks to the registry, only when another action reads the blob (an OCI
layout, an archive, a load or a push). The digest names the blob and the
action checks it, so the action cache and the disk cache keep it.

Credentials are not inputs: fetch_blob.py looks them up at execution time,
where oci_pull did (see its docstring for how it finds that environment).
"""

load(":providers.bzl", "OciLayerInfo", "OciPulledInfo")

def _oci_blob_impl(ctx):
    digest = ctx.attr.digest
    if not digest.startswith("sha256:"):
        fail("oci_blob(digest): \"%s\" is not a sha256 digest" % digest)
    blob = ctx.actions.declare_file("blobs/sha256/" + digest[len("sha256:"):])
    ctx.actions.run(
        executable = ctx.executable._fetch,
        # The descriptor gives the size, and its real path the pulled
        # repository, where oci_pull recorded where credentials are.
        arguments = [ctx.attr.url, digest, ctx.file.descriptor.path, blob.path],
        inputs = [ctx.file.descriptor],
        outputs = [blob],
        mnemonic = "OciFetchBlob",
        progress_message = "Fetching %s" % ctx.attr.url,
        # python3 comes from PATH. The network is needed; remote executors
        # usually have none, so the fetch stays local and its result goes
        # to the caches like any output.
        use_default_shell_env = True,
        execution_requirements = {"requires-network": "1", "no-remote-exec": "1"},
    )
    return [
        DefaultInfo(files = depset([blob])),
        OciLayerInfo(
            blob = blob,
            descriptor = ctx.file.descriptor,
            diff_id = None,
            created_by = "",
            comment = "",
            source_url = ctx.attr.url,
        ),
    ]

oci_blob = rule(
    implementation = _oci_blob_impl,
    doc = "One layer blob of a pulled image, downloaded by an action that checks its digest.",
    attrs = {
        "url": attr.string(mandatory = True, doc = "The registry's /v2/<repository>/blobs/<digest> URL."),
        "digest": attr.string(mandatory = True, doc = "sha256:... of the blob."),
        "descriptor": attr.label(mandatory = True, allow_single_file = True, doc = "The blob's descriptor JSON, as the manifest gives it."),
        "_fetch": attr.label(default = ":fetch_blob.py", allow_single_file = True, executable = True, cfg = "exec"),
    },
)

def _oci_pulled_image_impl(ctx):
    by_digest = {}
    for target in ctx.attr.layers:
        by_digest[target.label.name] = target[OciLayerInfo]
    platform_layers = {}
    for platform, names in ctx.attr.platform_layers.items():
        platform_layers[platform] = [by_digest[n] for n in names.split(" ") if n]
    marker = [f for f in ctx.files.srcs if f.basename == "oci-layout"]
    if not marker:
        fail("oci_pulled_image(srcs): no oci-layout among %s" % ctx.files.srcs)
    return [
        DefaultInfo(files = depset(ctx.files.srcs)),
        OciPulledInfo(path = marker[0].dirname, files = ctx.files.srcs, platform_layers = platform_layers),
        OutputGroupInfo(layers = depset([layer.blob for layer in by_digest.values()])),
    ]

oci_pulled_image = rule(
    implementation = _oci_pulled_image_impl,
    doc = """A pulled image or index whose layers are fetched on demand.

The default output is the layout without layer blobs; the output group
`layers` downloads them all. As an oci_image base, each image takes the
layers of its own platform.""",
    attrs = {
        "srcs": attr.label_list(allow_files = True, doc = "The layout's files: index.json, oci-layout, manifests, configs."),
        "layers": attr.label_list(providers = [OciLayerInfo], doc = "oci_blob targets, named by their digest's hex."),
        "platform_layers": attr.string_dict(doc = "os/arch[/variant] (\"\" for a single manifest) to its layers' target names, space-separated, bottom first."),
    },
)
