"""Compiler options every imagewriter C++ target carries.

The language version is set here, on each target, rather than in a
.bazelrc: a workspace that uses imagewriter as an external repository does
not read imagewriter's .bazelrc, and Bazel 4's auto-configured toolchain
passes -std=c++0x. gcc takes the last -std it sees, and a target's copts
come after the toolchain's flags, so this wins in every configuration
(target, host and exec) with no flag from the consumer.
"""

COPTS = ["-std=c++17"]
