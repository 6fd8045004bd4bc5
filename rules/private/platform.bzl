"""Maps the target platform's constraints to OCI os/architecture/variant."""

# (constraint label, OCI value[, variant]) pairs, checked in order.
_OS = [
    ("@platforms//os:linux", "linux"),
    ("@platforms//os:windows", "windows"),
    ("@platforms//os:freebsd", "freebsd"),
    ("@platforms//os:osx", "darwin"),
    ("@platforms//os:macos", "darwin"),
]

_CPU = [
    ("@platforms//cpu:x86_64", "amd64", ""),
    ("@platforms//cpu:aarch64", "arm64", ""),
    ("@platforms//cpu:arm64", "arm64", ""),
    ("@platforms//cpu:armv7", "arm", "v7"),
    ("@platforms//cpu:arm", "arm", ""),
    ("@platforms//cpu:i386", "386", ""),
    ("@platforms//cpu:x86_32", "386", ""),
    ("@platforms//cpu:s390x", "s390x", ""),
    ("@platforms//cpu:ppc", "ppc64le", ""),
]

PLATFORM_ATTRS = dict(
    [("_os_" + v.split(":")[1], attr.label(default = v)) for v, _ in _OS] +
    [("_cpu_" + v.split(":")[1], attr.label(default = v)) for v, _, _ in _CPU],
)

def _has(ctx, label):
    name = ("_os_" if "//os:" in label else "_cpu_") + label.split(":")[1]
    value = getattr(ctx.attr, name)[platform_common.ConstraintValueInfo]
    return ctx.target_platform_has_constraint(value)

def target_platform(ctx):
    """(os, architecture, variant) of the target platform; linux/amd64 if unknown.

    Args:
      ctx: context of a rule whose attrs include PLATFORM_ATTRS.

    Returns:
      A tuple of three strings, e.g. ("linux", "arm64", "v8").
    """
    os = "linux"
    for label, value in _OS:
        if _has(ctx, label):
            os = value
            break
    arch, variant = "amd64", ""
    for label, value, var in _CPU:
        if _has(ctx, label):
            arch, variant = value, var
            break
    return os, arch, variant
