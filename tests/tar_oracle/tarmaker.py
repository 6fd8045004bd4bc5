"""Builds tar archives byte by byte, including malformed and hostile ones.

Shared by the Go differential test (oracle_test.py) and tests/hostile_tar_test.py.
Nothing here depends on the host's tar or on Python's tarfile, whose
reading of odd archives is not the one we test against.
"""

BLOCK = 512
USTAR = b"ustar\x0000"
GNU = b"ustar  \x00"


def octal(value, width):
    """A NUL-terminated octal field."""
    return b"%0*o\x00" % (width - 1, value)


def base256(value, width):
    """A GNU base-256 field (two's complement, high bit set)."""
    raw = (value % (1 << (8 * width))).to_bytes(width, "big")
    return bytes([raw[0] | 0x80]) + raw[1:]


def checksum(block):
    block = bytearray(block)
    block[148:156] = b" " * 8
    return sum(block)


def header(name=b"file", size=0, type=b"0", link=b"", mode=0o644, uid=0, gid=0, mtime=0,
           magic=USTAR, prefix=b"", fields=None, chksum=None):
    """One 512-byte header. `fields` maps offset -> raw bytes written last,
    before the checksum (so they may break any field on purpose)."""
    h = bytearray(BLOCK)
    name = name.encode() if isinstance(name, str) else name
    link = link.encode() if isinstance(link, str) else link
    h[0:len(name[:100])] = name[:100]
    h[100:108] = mode if isinstance(mode, bytes) else octal(mode, 8)
    h[108:116] = uid if isinstance(uid, bytes) else octal(uid, 8)
    h[116:124] = gid if isinstance(gid, bytes) else octal(gid, 8)
    h[124:136] = size if isinstance(size, bytes) else octal(size, 12)
    h[136:148] = mtime if isinstance(mtime, bytes) else octal(mtime, 12)
    h[156:157] = type
    h[157:157 + len(link[:100])] = link[:100]
    h[257:265] = magic
    if prefix:
        h[345:345 + len(prefix)] = prefix
    for at, raw in (fields or {}).items():
        h[at:at + len(raw)] = raw
    value = checksum(h) if chksum is None else chksum
    h[148:156] = b"%06o\x00 " % value
    return bytes(h)


def pad(data):
    return data + b"\x00" * (-len(data) % BLOCK)


def entry(name, data=b"", **kw):
    kw.setdefault("size", len(data))
    return header(name, **kw) + pad(data)


def record(key, value):
    key = key.encode() if isinstance(key, str) else key
    value = value.encode() if isinstance(value, str) else value
    body = b" " + key + b"=" + value + b"\n"
    n = len(body) + 1
    while len(str(n)) + len(body) != n:
        n += 1
    return str(n).encode() + body


def pax(records, type=b"x", raw=None):
    """A PAX header; `records` is a list of (key, value), or `raw` bytes."""
    data = raw if raw is not None else b"".join(record(k, v) for k, v in records)
    return header(b"PaxHeader", size=len(data), type=type) + pad(data)


def gnu_long(type, value):
    """A GNU 'L' (long name) or 'K' (long link) record, NUL-terminated."""
    data = (value.encode() if isinstance(value, str) else value) + b"\x00"
    return header(b"././@LongLink", size=len(data), type=type, magic=GNU) + pad(data)


def end():
    return b"\x00" * (2 * BLOCK)
