"""Public API for pulling base images: load("@imagewriter//rules:pull.bzl", "oci_pull")."""

load("//rules/private:pull.bzl", _oci_pull = "oci_pull")

oci_pull = _oci_pull
