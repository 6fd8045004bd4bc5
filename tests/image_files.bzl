"""Exposes an image's outputs to a test, with a JSON map of their paths."""

load("//rules:defs.bzl", "OciImageIndexInfo", "OciImageInfo")

def _image_files_impl(ctx):
    files, entries = [], {}
    for target in ctx.attr.images:
        if OciImageIndexInfo in target:
            info = target[OciImageIndexInfo]
            entries[str(target.label)] = {
                "index": info.index.short_path,
                "layout": info.layout.short_path,
                "digest": info.digest.short_path,
            }
            files += [info.index, info.layout, info.digest]
            continue
        info = target[OciImageInfo]
        entries[str(target.label)] = {
            "config": info.config.short_path,
            "manifest": info.manifest.short_path,
            "digest": info.digest.short_path,
            "layout": info.layout.short_path,
            "layers": [
                {"descriptor": layer.descriptor.short_path, "diff_id": layer.diff_id.short_path}
                for layer in info.layers
            ],
        }
        files += [info.config, info.manifest, info.digest, info.layout]
        files += [layer.descriptor for layer in info.layers] + [layer.diff_id for layer in info.layers]
    index = ctx.actions.declare_file(ctx.label.name + ".json")
    ctx.actions.write(index, json.encode(entries))
    return [DefaultInfo(files = depset([index]), runfiles = ctx.runfiles(files = files + [index]))]

image_files = rule(
    implementation = _image_files_impl,
    attrs = {"images": attr.label_list(providers = [[OciImageInfo], [OciImageIndexInfo]])},
)
