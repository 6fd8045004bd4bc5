"""A repository rule that mirrors a directory shipped inside @imagewriter.

local_repository() takes a path relative to the *main* workspace, which breaks
when imagewriter is itself an external repository. This rule locates the
directory through a label instead, so it works from any workspace.
"""

def _mirror_directory_impl(rctx):
    marker = rctx.path(rctx.attr.marker)
    for child in marker.dirname.readdir():
        rctx.symlink(child, child.basename)

mirror_directory = repository_rule(
    implementation = _mirror_directory_impl,
    attrs = {
        "marker": attr.label(
            mandatory = True,
            doc = "A file in the directory to mirror, usually its WORKSPACE.",
        ),
    },
    local = True,
)
