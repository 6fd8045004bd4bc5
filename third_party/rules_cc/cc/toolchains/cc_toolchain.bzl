"""cc_toolchain where rules_cc 0.1 puts it, for loads written as buildifier suggests."""

load("//cc:defs.bzl", _cc_toolchain = "cc_toolchain")

cc_toolchain = _cc_toolchain
