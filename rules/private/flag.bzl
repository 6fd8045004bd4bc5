"""A build flag's value as a provider, for flags a rule cannot read directly.

Bazel 4 lets a rule read neither --stamp nor an --incompatible_* option
(nor may a transition); a config_setting can, so a tiny rule carries the
answer (set through select() in rules/private/BUILD.bazel).
"""

FlagInfo = provider(
    doc = "Whether a boolean build flag is on.",
    fields = {"enabled": "bool: whether the flag is on."},
)

def _flag_value_impl(ctx):
    return [FlagInfo(enabled = ctx.attr.enabled)]

flag_value = rule(
    implementation = _flag_value_impl,
    attrs = {"enabled": attr.bool()},
)
