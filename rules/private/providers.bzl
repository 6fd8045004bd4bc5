"""Providers of the imagewriter rules."""

OciLayerInfo = provider(
    doc = "One image layer, as written by `imagewriter layer`.",
    fields = {
        "blob": "File: the layer blob (compressed as its descriptor says).",
        "descriptor": "File: the blob's OCI descriptor JSON (mediaType, digest, size, annotations).",
        "diff_id": "File: the diffID, sha256 of the uncompressed tar, as text; None for a pulled base's layer.",
        "created_by": "string: history `created_by` for this layer, or \"\" for the image default.",
        "comment": "string: history `comment` for this layer.",
        "source_url": "string: for a shallow oci_pull's layer, the registry URL its blob is fetched from " +
                      "(oci_blob's `url`); None for every other layer.",
    },
)

OciImageInfo = provider(
    doc = "A single-platform image built by oci_image.",
    fields = {
        "manifest": "File: the manifest JSON.",
        "config": "File: the config JSON.",
        "descriptor": "File: the manifest's descriptor JSON, with its platform.",
        "digest": "File: the manifest digest (sha256:...).",
        "layout": "File (directory): the OCI image layout of this image.",
        "layers": "list of OciLayerInfo, bottom first, including the base's when it was an oci_image.",
        "base_sources": "list of struct(path, files, copy): base layouts/archives holding the base's layer blobs.",
        "layer_descriptors": "depset of File: every layer descriptor.",
        "layer_blobs": "depset of File: every layer blob.",
        "platform": "string: os/arch[/variant].",
        "media_types": "string: \"oci\" or \"docker\".",
        "attestation": "struct of attest.bzl's attest_image (descriptor, metadata, ...), or None.",
        "root_digest": "File: the digest of the layout's root: the manifest's, or with attestations the index's around it.",
        "referrers": "list of struct(layout, tag): OCI 1.1 referrers-tag layouts for oci_push.",
        "shallow": "bool: a base (transitively) is a shallow oci_pull, so the layout needs layer downloads; " +
                   "the default output is then the metadata, and the layout is the output group `layout`.",
        "sparse_layout": "File (directory) or None: when shallow, the layout without the shallow base's " +
                         "layer blobs (those with a source_url), which oci_push reads.",
    },
)

OciImageIndexInfo = provider(
    doc = "A multi-platform image index built by oci_image_index.",
    fields = {
        "index": "File: the index JSON.",
        "descriptor": "File: the index's descriptor JSON.",
        "digest": "File: the index digest (sha256:...).",
        "layout": "File (directory): the OCI image layout of the index and its images.",
        "images": "list of OciImageInfo, in index order.",
        "referrers": "list of struct(layout, tag): the images' OCI 1.1 referrers-tag layouts, for oci_push.",
        "shallow": "bool: some image is FROM a shallow oci_pull (see OciImageInfo.shallow).",
        "sparse_layout": "File (directory) or None: when shallow, the layout without the shallow bases' " +
                         "layer blobs, which oci_push reads.",
    },
)

OciPulledInfo = provider(
    doc = "A base fetched by oci_pull with layer_handling = \"shallow\": metadata now, layers on demand.",
    fields = {
        "path": "string: the layout directory holding index.json, the manifests and the configs.",
        "files": "list of File: that directory's files; no layer blob is among them.",
        "platform_layers": "dict: os/arch[/variant] (\"\" for a single manifest) to the list of " +
                           "OciLayerInfo of that image's layers, bottom first. Each blob is the output " +
                           "of a fetch action, so it is downloaded only when an action reads it.",
    },
)

ImagewriterToolchainInfo = provider(
    doc = "The imagewriter binary used by the rules.",
    fields = {
        "binary": "FilesToRunProvider of the imagewriter binary.",
        "runtime_files": "depset of the files the binary loads at run time (its runfiles' files).",
    },
)
