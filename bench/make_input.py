#!/usr/bin/env python3
"""Writes a realistic layer tar of about N MB from /usr (libraries and docs).

    make_input.py OUT.tar SIZE_MB

Files are taken in sorted order from /usr/lib and /usr/share, symlinks kept,
so the content is what real base-image layers hold. Deterministic for a
given machine.
"""
import os
import sys
import tarfile


def main():
    out, size_mb = sys.argv[1], int(sys.argv[2])
    limit = size_mb << 20
    total = 0
    with tarfile.open(out + ".tmp", "w", format=tarfile.PAX_FORMAT) as tar:
        for top in ("/usr/lib", "/usr/share"):
            for root, dirs, files in os.walk(top):
                dirs.sort()
                for name in sorted(files):
                    path = os.path.join(root, name)
                    try:
                        info = tar.gettarinfo(path, arcname=path.lstrip("/"))
                        if info.isreg():
                            if total + info.size > limit:
                                continue
                            with open(path, "rb") as f:
                                tar.addfile(info, f)
                            total += info.size
                        elif info.issym():
                            tar.addfile(info)
                    except OSError:
                        continue
                    if total >= limit * 0.98:
                        break
                if total >= limit * 0.98:
                    break
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main()
