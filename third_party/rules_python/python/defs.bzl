"""Re-exports Bazel 4.2.3's native Python rules under @rules_python's names.

Each wrapper exists only to call the native rule, which is what buildifier's
native-py check would otherwise forbid.
"""

def py_binary(**attrs):
    native.py_binary(**attrs)  # buildifier: disable=native-py

def py_library(**attrs):
    native.py_library(**attrs)  # buildifier: disable=native-py

def py_test(**attrs):
    native.py_test(**attrs)  # buildifier: disable=native-py

def py_runtime(**attrs):
    native.py_runtime(**attrs)  # buildifier: disable=native-py
