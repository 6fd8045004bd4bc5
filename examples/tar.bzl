"""A stopgap tarball rule for the examples: GNU tar with fixed metadata.

Layers built from files natively (oci_layer srcs/files) are a separate
issue; until then this keeps the examples byte-for-byte reproducible.
"""

def app_tar(name, srcs, directory = "app"):
    native.genrule(
        name = name,
        srcs = srcs,
        outs = [name + ".tar"],
        cmd = """
set -e
stage=$$(mktemp -d)
mkdir -p "$$stage/{dir}"
for f in $(SRCS); do cp "$$f" "$$stage/{dir}/"; done
chmod 0755 "$$stage/{dir}" "$$stage/{dir}"/*
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=ustar \\
    -cf $@ -C "$$stage" {dir}
rm -rf "$$stage"
""".format(dir = directory),
    )
