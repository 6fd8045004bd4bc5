"""Generates C++ for a .proto with Debian's protoc.

Bazel's native proto rules want protobuf's own repository and would build
protoc from source; this runs the system protoc instead, matching the system
libprotobuf exactly.
"""

load("@rules_cc//cc:cc_library.bzl", "cc_library")
load("//src:copts.bzl", "COPTS")

def cc_proto_from_system_protoc(name, src):
    base = src[:-len(".proto")]
    native.genrule(
        name = name + "_gen",
        srcs = [src],
        outs = [base + ".pb.h", base + ".pb.cc"],
        tools = ["@system_protobuf//:bin/protoc"],
        # Paths are relative to the proto's repository root, which is
        # external/<repo>/ when imagewriter is an external repository, so
        # generated includes read "src/proto/x.pb.h" either way.
        cmd = """
proto=$(location {src})
root=$${{proto%{path}}}
root=$${{root:-./}}
$(location @system_protobuf//:bin/protoc) --proto_path=$$root --cpp_out=$(GENDIR)/$$root {path}
""".format(src = src, path = native.package_name() + "/" + src),
    )
    cc_library(
        name = name,
        copts = COPTS,
        srcs = [base + ".pb.cc"],
        hdrs = [base + ".pb.h"],
        deps = ["@system_protobuf//:protobuf"],
    )
