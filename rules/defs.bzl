"""Public API of imagewriter's Bazel rules.

    load("@imagewriter//rules:defs.bzl", "oci_image", "oci_image_index", "oci_layer", "oci_load", "oci_push")

Attribute names follow rules_oci, so switching is a change of load() line.
Implementation lives in rules/private/.
"""

load("//rules/private:diff_test.bzl", _oci_diff_test = "oci_diff_test")
load("//rules/private:image.bzl", _oci_image = "oci_image")
load("//rules/private:index.bzl", _oci_image_index = "oci_image_index")
load("//rules/private:layer.bzl", _oci_layer = "oci_layer")
load(
    "//rules/private:providers.bzl",
    _OciImageIndexInfo = "OciImageIndexInfo",
    _OciImageInfo = "OciImageInfo",
    _OciLayerInfo = "OciLayerInfo",
)
load("//rules/private:ship.bzl", _oci_load = "oci_load", _oci_push = "oci_push")
load("//rules/private:toolchain.bzl", _imagewriter_toolchain = "imagewriter_toolchain")

OciImageInfo = _OciImageInfo
OciImageIndexInfo = _OciImageIndexInfo
OciLayerInfo = _OciLayerInfo

def oci_layer(name, files = None, **kwargs):
    """One layer, from a tarball or from files.

    The layer comes from `tar`, or from `srcs`, `files`, `symlinks` and
    `empty_dirs`. See rules/private/layer.bzl for every attribute.

    Args:
      name: the target's name.
      files: dict {path in the image: label}, or None.
      **kwargs: the attributes of the oci_layer rule.
    """
    if files:
        kwargs["files_paths"] = list(files.keys())
        kwargs["files_labels"] = list(files.values())
    _oci_layer(name = name, **kwargs)

oci_load = _oci_load
oci_diff_test = _oci_diff_test
oci_push = _oci_push
imagewriter_toolchain = _imagewriter_toolchain

def _dict_or_file(kwargs, name, file_attr):
    """rules_oci accepts a dict or a file label for env/labels/annotations."""
    value = kwargs.pop(name, None)
    if value == None:
        return
    if type(value) == "dict":
        kwargs[name] = value
    else:
        kwargs[file_attr] = value

def oci_image(name, entrypoint = None, cmd = None, **kwargs):
    """A single-platform image. See rules/private/image.bzl for every attribute.

    `env`, `labels` and `annotations` take a dict or a label of a KEY=VALUE file.
    `entrypoint` and `cmd` distinguish "not set" (None) from "set to []".

    Args:
      name: the target's name.
      entrypoint: list of strings, or None to keep the base's.
      cmd: list of strings, or None to keep the base's.
      **kwargs: the attributes of the oci_image rule.
    """
    _dict_or_file(kwargs, "env", "env_file")
    _dict_or_file(kwargs, "labels", "labels_file")
    _dict_or_file(kwargs, "annotations", "annotations_file")
    if entrypoint != None:
        kwargs["entrypoint"] = entrypoint
        kwargs["entrypoint_set"] = True
    if cmd != None:
        kwargs["cmd"] = cmd
        kwargs["cmd_set"] = True
    _oci_image(name = name, **kwargs)

def oci_image_index(name, **kwargs):
    """A multi-platform image index. See rules/private/index.bzl for every attribute.

    `annotations` takes a dict or a file label. With `platforms`, `images`
    are built once per platform: they go to the rule's split-transition
    attribute, so that without `platforms` nothing changes configuration.

    Args:
      name: the target's name.
      **kwargs: the attributes of the oci_image_index rule.
    """
    _dict_or_file(kwargs, "annotations", "annotations_file")
    if kwargs.get("platforms"):
        kwargs["platform_images"] = kwargs.pop("images", [])
    _oci_image_index(name = name, **kwargs)
