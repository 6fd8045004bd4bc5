"""cc_library where rules_cc 0.1 puts it, for loads written as buildifier suggests."""

load(":defs.bzl", _cc_library = "cc_library")

cc_library = _cc_library
