"""Public API for pulling base images.

    load("@imagewriter//rules:pull.bzl", "oci_pull")
"""

load("//rules/private:pull.bzl", "oci_pull_rule")

def oci_pull(name, **kwargs):
    """Fetches an image or index from a registry into an OCI layout.

    Use the result as `oci_image(base = "@<name>")`; the layout is also
    `@<name>//:layout`. Pin with `digest` (give both it and `tag` to pin and
    name), or pull by `tag` with a `lock_file`: a tag it records is fetched
    by that digest, and `bazel run @<name>//:pin` records a new one. A tag
    pulled with neither is resolved at each fetch and a warning gives the
    digest to pin. With `platforms`, only
    those platforms of an index are fetched. Layers are fetched only when an
    action reads them (`layer_handling = "shallow"`, the default), or all at
    once with `layer_handling = "eager"`.

    Args:
      name: the repository's name, and the name of its layout target.
      **kwargs: registry, repository, digest and/or tag, lock_file, platforms, layer_handling.
    """
    oci_pull_rule(name = name, target_name = name, **kwargs)
