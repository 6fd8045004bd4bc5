#!/usr/bin/env python3
"""Checks that the C++ modules under src/ depend one way only.

docs/design.md draws the module map; this script holds the build to it. It
asks Bazel for every direct dependency of every library and binary under
src/ (tests may use more, for example a codec test hashing its output) and
fails on any edge from one src/ package to another that the table below
does not allow. A new edge is a design decision: change the table and the
map in docs/design.md in the same commit, and say why.

Usage: tools/check_layering.py    (from anywhere inside the repository)
Prints one PASS/FAIL line; exits 1 on a forbidden edge.
"""

import os
import re
import subprocess
import sys

# package -> the src/ packages its libraries and binaries may depend on.
ALLOWED = {
    "base": set(),
    "io": {"base"},
    "json": {"base"},
    "digest": {"base", "io"},
    "tar": {"base", "io"},
    "compress": {"base", "io"},
    "oci": {"base", "json", "digest"},
    "estargz": {"base", "io", "json", "digest", "tar", "compress"},
    "layout": {"base", "io", "json", "digest", "tar", "compress", "oci"},
    "writer": {"base", "io", "json", "digest", "tar", "compress", "estargz", "oci"},
    "diff": {"base", "io", "json", "digest", "tar", "compress", "oci", "layout"},
    "proto": set(),
    "request": {"base", "io", "json", "digest", "tar", "compress", "estargz",
                "oci", "layout", "writer", "proto"},
    "cli": {"base", "io", "json", "digest", "tar", "compress", "estargz",
            "oci", "layout", "writer", "proto", "request", "diff"},
}

_EDGE = re.compile(r'^\s*"(//src/[^"]+)"\s*->\s*"(//src/[^"]+)"')


def package(label):
    """'//src/oci:oci' -> 'oci'; '//src/compress/internal:x' -> 'compress'."""
    return label[len("//src/"):].split(":")[0].split("/")[0]


def edges():
    query = 'deps(kind("cc_library|cc_binary|proto_library", //src/...), 1)'
    out = subprocess.run(
        ["bazel", "query", "--noshow_progress", "--output=graph",
         "--nograph:factored", query],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = _EDGE.match(line)
        if m:
            yield m.group(1), m.group(2)


def main():
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"],
                          check=True, capture_output=True, text=True).stdout
    os.chdir(root.strip())
    bad = []
    count = 0
    for src, dst in edges():
        a, b = package(src), package(dst)
        if a == b:
            continue
        count += 1
        if a not in ALLOWED:
            bad.append(f"{src} -> {dst}: package src/{a} is not in the module map")
        elif b not in ALLOWED[a]:
            bad.append(f"{src} -> {dst}: src/{a} may not depend on src/{b}")
    for line in bad:
        print(line)
    if bad or count == 0:
        print(f"FAIL: module layering ({len(bad)} forbidden of {count} edges)")
        return 1
    print(f"PASS: module layering ({count} edges between src/ packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
