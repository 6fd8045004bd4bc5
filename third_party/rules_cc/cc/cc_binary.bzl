"""cc_binary where rules_cc 0.1 puts it, for loads written as buildifier suggests."""

load(":defs.bzl", _cc_binary = "cc_binary")

cc_binary = _cc_binary
