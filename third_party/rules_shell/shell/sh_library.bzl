"""Re-exports Bazel 4.2.3's native sh_library under @rules_shell's name."""

def sh_library(**attrs):
    # The one call the shim exists for; buildifier would forbid it elsewhere.
    native.sh_library(**attrs)  # buildifier: disable=native-sh-library
