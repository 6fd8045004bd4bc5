"""Paths of Debian multiarch static archives, chosen by the target CPU.

Debian installs each architecture's libraries under lib/<triplet>/, so the
x86-64 and arm64 -dev packages can be installed side by side; the headers
in include/ are shared. The archives are declared inputs (srcs), so their
bytes are part of every link action's key: a machine with another build of
a library links another binary, and never shares a cached one.
"""

def _paths(triplet, names):
    return ["lib/%s/lib%s.a" % (triplet, n) for n in names]

def archives(names):
    """Static archives lib<name>.a, for the target platform's CPU."""
    return select({
        "@platforms//cpu:aarch64": _paths("aarch64-linux-gnu", names),
        "//conditions:default": _paths("x86_64-linux-gnu", names),
    })

def multiarch_file(path):
    """A file under lib/<triplet>/, for the target platform's CPU."""
    return select({
        "@platforms//cpu:aarch64": "lib/aarch64-linux-gnu/" + path,
        "//conditions:default": "lib/x86_64-linux-gnu/" + path,
    })
