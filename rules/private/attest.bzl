"""Attestations of an oci_image: BuildKit's in-index form, OCI 1.1 referrers, built-in provenance."""

load(":toolchain.bzl", "TOOLCHAIN_TYPE", "run_imagewriter")

ATTEST_ATTRS = {
    "attestations": attr.label_list(
        allow_files = [".json"],
        doc = "in-toto statement files (SBOMs, provenance, ...) from any rule, attached as BuildKit attaches " +
              "attestations: an attestation manifest in an image index around the image (platform " +
              "unknown/unknown), which is also an OCI 1.1 referrer of the image (`subject`). A statement with " +
              "no subject gets the image manifest; one naming another digest is an error. OCI media types only.",
    ),
    "provenance": attr.bool(
        doc = "Attach a SLSA provenance v1 statement made from what Bazel knows: the target label, the " +
              "platform, the digests of every layer, of the base manifest and of the imagewriter binary. " +
              "Deterministic: no times, ids, host paths or environment.",
    ),
    "provenance_builder_id": attr.string(
        default = "urn:imagewriter:builder:bazel",
        doc = "runDetails.builder.id of the provenance: a URI naming the build platform (e.g. your CI's).",
    ),
}

def _provenance(ctx, layers, base, platform):
    """The request's provenance member, and the files it names."""
    tool = ctx.toolchains[TOOLCHAIN_TYPE].imagewriter.binary.executable
    dependencies = [{"name": "imagewriter", "file": tool.path}]
    inputs = [tool]
    if base:
        dependencies.append({"name": "base", "descriptorFile": base.descriptor.path})
        inputs.append(base.descriptor)
    for i, layer in enumerate(layers):
        dependencies.append({"name": "layer %d" % i, "descriptorFile": layer.descriptor.path})
        inputs.append(layer.descriptor)
    provenance = {
        "target": str(ctx.label),
        "builderId": ctx.attr.provenance_builder_id,
        "parameters": {"platform": platform} if platform else {},
        "dependencies": dependencies,
    }
    return provenance, inputs

def attest_action(ctx, name, descriptor, statements, provenance = None, provenance_inputs = []):
    """Runs `imagewriter attest`: an attestation manifest over one image manifest.

    Args:
      ctx: the rule context; it must declare the imagewriter toolchain.
      name: the prefix of the output files.
      descriptor: File, the image manifest's descriptor.
      statements: Files of in-toto statements.
      provenance: the request's provenance member, or None.
      provenance_inputs: the files `provenance` names.

    Returns:
      struct(descriptor: the attestation manifest's index descriptor,
      statements: the statement blobs, metadata: every blob (manifest,
      config, statements), referrers and referrers_descriptor: the OCI 1.1
      referrers-tag index and its descriptor, referrers_tag: a file holding
      that tag).
    """
    request = {"subject": descriptor.path, "statements": [f.path for f in statements]}
    inputs = [descriptor] + statements + provenance_inputs
    if provenance:
        request["provenance"] = provenance
    request_file = ctx.actions.declare_file(name + ".request.json")
    ctx.actions.write(request_file, json.encode(request))
    count = len(statements) + (1 if provenance else 0)
    blobs = [ctx.actions.declare_file("%s.statement%d.json" % (name, i)) for i in range(count)]
    out = {flag: ctx.actions.declare_file(name + suffix) for flag, suffix in [
        ("config", ".config.json"),
        ("manifest", ".manifest.json"),
        ("descriptor", ".descriptor.json"),
        ("referrers", ".referrers.json"),
        ("referrers-descriptor", ".referrers.descriptor.json"),
        ("referrers-tag", ".referrers.tag"),
    ]}
    args = ctx.actions.args()
    args.add("attest")
    args.add("--request", request_file)
    args.add_all(blobs, before_each = "--statement-out")
    for flag, f in out.items():
        args.add("--%s-out" % flag, f)
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = [request_file] + inputs,
        outputs = blobs + out.values(),
        mnemonic = "OciAttest",
        progress_message = "Writing attestations of %s" % ctx.label,
    )
    return struct(
        descriptor = out["descriptor"],
        statements = blobs,
        metadata = [out["manifest"], out["config"]] + blobs,
        referrers = out["referrers"],
        referrers_descriptor = out["referrers-descriptor"],
        referrers_tag = out["referrers-tag"],
    )

def attest_image(ctx, descriptor, layers, base, platform):
    """Runs `imagewriter attest` for an image, when it has attestations.

    Args:
      ctx: the oci_image's context.
      descriptor: File, the image manifest's descriptor.
      layers: every OciLayerInfo of the image, base layers included.
      base: the base struct of image.bzl, or None.
      platform: "os/arch[/variant]", or None for the base's.

    Returns:
      None, or attest_action's struct.
    """
    statements = ctx.files.attestations
    if not statements and not ctx.attr.provenance:
        return None
    if ctx.attr.media_types != "oci":
        fail("oci_image(attestations): attestations need media_types = \"oci\" (BuildKit refuses them " +
             "with Docker media types)")
    provenance, inputs = None, []
    if ctx.attr.provenance:
        provenance, inputs = _provenance(ctx, layers, base, platform)
    return attest_action(ctx, ctx.label.name + ".attestation", descriptor, statements, provenance, inputs)
