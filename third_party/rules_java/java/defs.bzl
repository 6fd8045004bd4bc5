"""Re-exports Bazel 4.2.3's native Java rules under @rules_java's names.

Each wrapper exists only to call the native rule, which is what buildifier's
native-java checks would otherwise forbid.
"""

def java_binary(**attrs):
    native.java_binary(**attrs)  # buildifier: disable=native-java-binary

def java_import(**attrs):
    native.java_import(**attrs)  # buildifier: disable=native-java-import

def java_library(**attrs):
    native.java_library(**attrs)  # buildifier: disable=native-java-library

def java_test(**attrs):
    native.java_test(**attrs)  # buildifier: disable=native-java-test

def java_toolchain(**attrs):
    native.java_toolchain(**attrs)  # buildifier: disable=native-java-toolchain

def java_runtime(**attrs):
    native.java_runtime(**attrs)  # buildifier: disable=native-java-runtime

def java_plugin(**attrs):
    native.java_plugin(**attrs)  # buildifier: disable=native-java-plugin
