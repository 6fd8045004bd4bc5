"""Re-exports Bazel 4.2.3's native sh_binary under @rules_shell's name."""

def sh_binary(**attrs):
    # The one call the shim exists for; buildifier would forbid it elsewhere.
    native.sh_binary(**attrs)  # buildifier: disable=native-sh-binary
