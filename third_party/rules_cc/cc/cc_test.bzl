"""cc_test where rules_cc 0.1 puts it, for loads written as buildifier suggests."""

load(":defs.bzl", _cc_test = "cc_test")

cc_test = _cc_test
