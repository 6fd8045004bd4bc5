"""cc_toolchain_config for Debian's aarch64-linux-gnu cross gcc 12.

Built on Bazel's own unix_cc_toolchain_config (the rule behind the
auto-configured x86-64 toolchain), with the same flags as that toolchain
except where a cross compiler needs otherwise:

- the tools are /usr/bin/aarch64-linux-gnu-*; there is no -B/usr/bin, which
  would make gcc run the host's x86-64 `ld`;
- gold is the cross one, /usr/aarch64-linux-gnu/bin/ld.gold, which gcc finds
  in its own program path for -fuse-ld=gold;
- the built-in include directories are the cross compiler's: its C++
  headers and glibc headers under /usr/aarch64-linux-gnu/include (from
  libstdc++-12-dev-arm64-cross and libc6-dev-arm64-cross), then the shared
  multiarch ones: /usr/include/aarch64-linux-gnu and /usr/include.

Libraries: gcc-cross searches /usr/lib/gcc-cross/aarch64-linux-gnu/12 (so
`-l:libstdc++.a` finds the arm64 libstdc++.a), /usr/aarch64-linux-gnu/lib
and /usr/lib/aarch64-linux-gnu (the arm64 multiarch -dev packages) by
itself; the third_party BUILD files name the arm64 archives explicitly.
"""

load("@bazel_tools//tools/cpp:unix_cc_toolchain_config.bzl", "cc_toolchain_config")

_TRIPLET = "aarch64-linux-gnu"
_GCC_VERSION = "12"

def _tool(name):
    return "/usr/bin/%s-%s" % (_TRIPLET, name)

def aarch64_cc_toolchain_config(name):
    cc_toolchain_config(
        name = name,
        cpu = "aarch64",
        compiler = "gcc",
        toolchain_identifier = "aarch64-linux-gnu-gcc",
        host_system_name = "x86_64-linux-gnu",
        target_system_name = _TRIPLET,
        target_libc = "glibc",
        abi_version = "gcc",
        abi_libc_version = "glibc",
        cxx_builtin_include_directories = [
            "/usr/lib/gcc-cross/%s/%s/include" % (_TRIPLET, _GCC_VERSION),
            "/usr/%s/include/c++/%s" % (_TRIPLET, _GCC_VERSION),
            "/usr/%s/include/c++/%s/%s" % (_TRIPLET, _GCC_VERSION, _TRIPLET),
            "/usr/%s/include/c++/%s/backward" % (_TRIPLET, _GCC_VERSION),
            "/usr/%s/include" % _TRIPLET,
            "/usr/include/%s" % _TRIPLET,
            "/usr/include",
        ],
        tool_paths = {
            "ar": _tool("ar"),
            "ld": _tool("ld"),
            "cpp": _tool("cpp"),
            "gcc": _tool("gcc"),
            "dwp": _tool("dwp"),
            "gcov": _tool("gcov"),
            "nm": _tool("nm"),
            "objcopy": _tool("objcopy"),
            "objdump": _tool("objdump"),
            "strip": _tool("strip"),
            # unix_cc_toolchain_config reads this key; there is no cross
            # llvm-cov, and coverage is not supported for arm64.
            "llvm-cov": "/bin/false",
        },
        compile_flags = [
            "-U_FORTIFY_SOURCE",
            "-fstack-protector",
            "-Wall",
            "-Wunused-but-set-parameter",
            "-Wno-free-nonheap-object",
            "-fno-omit-frame-pointer",
        ],
        opt_compile_flags = [
            "-g0",
            "-O2",
            "-D_FORTIFY_SOURCE=1",
            "-DNDEBUG",
            "-ffunction-sections",
            "-fdata-sections",
        ],
        dbg_compile_flags = ["-g"],
        # As the auto-configured toolchain; imagewriter's targets add
        # -std=c++17 in their copts (src/copts.bzl), which comes later.
        cxx_flags = ["-std=c++0x"],
        link_flags = [
            "-fuse-ld=gold",
            "-Wl,-no-as-needed",
            "-Wl,-z,relro,-z,now",
            "-pass-exit-codes",
        ],
        link_libs = [
            "-lstdc++",
            "-lm",
        ],
        opt_link_flags = ["-Wl,--gc-sections"],
        unfiltered_compile_flags = [
            "-fno-canonical-system-headers",
            "-Wno-builtin-macro-redefined",
            "-D__DATE__=\"redacted\"",
            "-D__TIMESTAMP__=\"redacted\"",
            "-D__TIME__=\"redacted\"",
        ],
        coverage_compile_flags = ["--coverage"],
        coverage_link_flags = ["--coverage"],
        supports_start_end_lib = True,
    )
