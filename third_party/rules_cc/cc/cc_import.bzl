"""cc_import where rules_cc 0.1 puts it, for loads written as buildifier suggests."""

load(":defs.bzl", _cc_import = "cc_import")

cc_import = _cc_import
