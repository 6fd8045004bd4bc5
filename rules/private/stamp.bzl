"""Stamping: the `stamp` attribute and whether --stamp is on.

Bazel 4 gives rules no direct way to read --stamp; a config_setting can, so
a flag_value target carries the answer (rules/private/BUILD.bazel).
"""

load(":flag.bzl", "FlagInfo")

STAMP_ATTRS = {
    "stamp": attr.int(
        default = -1,
        values = [-1, 0, 1],
        doc = """Substitute workspace-status values ({BUILD_TIMESTAMP}, {BUILD_EMBED_LABEL},
and any other status key) into `created`, `labels`, `annotations` and `env`:
1 always, 0 never, -1 when Bazel runs with --stamp. Unstamped builds never
depend on time or host.""",
    ),
    "_stamp_flag": attr.label(default = Label("//rules/private:stamp_flag")),
}

def stamping_enabled(ctx):
    """Whether the target stamps, from its `stamp` attribute and --stamp.

    Args:
      ctx: context of a rule whose attrs include STAMP_ATTRS.

    Returns:
      True to substitute workspace-status values.
    """
    if ctx.attr.stamp == 1:
        return True
    if ctx.attr.stamp == 0:
        return False
    return ctx.attr._stamp_flag[FlagInfo].enabled
