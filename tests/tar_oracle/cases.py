"""Tricky tars where a reader can easily disagree with Go's archive/tar.

CASES maps a name to the archive's bytes. oracle_test.py feeds each to Go
and to imagewriter's TarReader and requires the same reading.
"""
from tests.tar_oracle.tarmaker import (BLOCK, GNU, USTAR, base256, end, entry, gnu_long, header,
                                       octal, pad, pax, record)


def _cases():
    c = {}
    f = entry("plain", b"data")
    # Which of GNU L/K and PAX path/linkpath wins, in either order.
    c["gnu_long_name_then_pax_path"] = gnu_long(b"L", "from-L") + pax([("path", "from-pax")]) + f + end()
    c["pax_path_then_gnu_long_name"] = pax([("path", "from-pax")]) + gnu_long(b"L", "from-L") + f + end()
    c["gnu_long_link_then_pax_linkpath"] = (gnu_long(b"K", "/etc") + pax([("linkpath", "ok")]) +
                                            header("l", type=b"2", link="x") + end())
    c["pax_linkpath_then_gnu_long_link"] = (pax([("linkpath", "ok")]) + gnu_long(b"K", "/etc") +
                                            header("l", type=b"2", link="x") + end())
    c["two_gnu_long_names"] = gnu_long(b"L", "first") + gnu_long(b"L", "second") + f + end()
    c["gnu_long_name_with_nul"] = gnu_long(b"L", b"safe\x00../../evil") + f + end()
    c["empty_gnu_long_name"] = header("././@LongLink", type=b"L", magic=GNU) + f + end()
    # Only the last PAX 'x' header counts; a 'g' header drops what is pending.
    c["two_pax_headers"] = pax([("path", "first"), ("uid", "7")]) + pax([("gid", "9")]) + f + end()
    c["pax_then_global"] = pax([("path", "../x")]) + pax([("path", "g")], type=b"g") + f + end()
    c["long_name_then_global"] = gnu_long(b"L", "../x") + pax([], type=b"g") + f + end()
    c["global_path"] = pax([("path", "../../g")], type=b"g") + f + end()
    c["global_bad_mtime"] = pax([("mtime", "x")], type=b"g") + f + end()
    c["global_bad_syntax"] = pax([], type=b"g", raw=b"9 a=b\n") + f + end()
    # Format detection decides which prefix field is used.
    c["ustar_prefix"] = entry("name", prefix=b"pre/fix") + end()
    c["ustar_other_version"] = entry("name", prefix=b"pre", magic=b"ustar\x00xx") + end()
    c["gnu_ignores_prefix"] = entry("name", prefix=b"pre", magic=GNU) + end()
    c["gnu_bad_atime_uses_prefix"] = entry("name", prefix=b"9pre", magic=GNU) + end()
    c["gnu_octal_atime"] = entry("name", magic=GNU, fields={345: octal(5, 12), 357: octal(6, 12)}) + end()
    c["gnu_wrong_version"] = entry("name", prefix=b"pre", magic=b"ustar \x00\x00") + end()
    c["star_prefix"] = entry("name", prefix=b"p" * 131 + b"xyz", fields={508: b"tar\x00"}) + end()
    c["star_prefix_short"] = entry("name", prefix=b"starpre", fields={508: b"tar\x00"}) + end()
    c["star_bad_atime"] = entry("name", fields={508: b"tar\x00", 476: b"zz"}) + end()
    c["v7_ignores_prefix"] = entry("name", prefix=b"pre", magic=b"\x00" * 8) + end()
    c["v7_bad_devmajor"] = entry("name", magic=b"\x00" * 8, fields={329: b"zz"}) + end()
    c["ustar_bad_devmajor"] = entry("name", fields={329: b"zz"}) + end()
    # End markers.
    c["lone_zero_block_then_header"] = f + b"\x00" * BLOCK + f + end()
    c["one_zero_block_at_eof"] = f + b"\x00" * BLOCK
    c["zero_block_then_partial"] = f + b"\x00" * BLOCK + b"\x00" * 100
    c["garbage_after_end"] = f + end() + b"garbage" * 100
    c["no_end_marker"] = f
    c["truncated_in_padding"] = f[:BLOCK + 100]
    c["truncated_in_data"] = entry("big", b"x" * 1000)[:BLOCK + 500]
    c["truncated_header"] = f + f[:300]
    c["pax_at_eof"] = f + pax([("path", "dangling")])
    c["pax_record_truncated_padding"] = f + pax([("path", "dangling")])[:BLOCK + 40]
    c["pax_then_end"] = pax([("path", "x")]) + end()
    # Numeric fields.
    c["base256_size"] = header("big", size=base256(1 << 33, 12)) + end()
    c["base256_size_over_int64"] = header("big", size=b"\x80" + b"\xff" * 11) + end()
    c["base256_size_2_63"] = header("big", size=b"\x80\x00\x00\x00" + b"\x80" + b"\x00" * 7) + end()
    c["negative_size_file"] = header("neg", size=base256(-1, 12)) + end()
    c["negative_size_symlink"] = header("neg", type=b"2", link="t", size=base256(-512, 12)) + f + end()
    c["negative_size_with_pax_size"] = pax([("size", "4")]) + header("n", size=base256(-1, 12)) + pad(b"data") + end()
    c["negative_mtime"] = entry("old", mtime=base256(-86400 * 365, 12)) + end()
    c["base256_uid"] = entry("u", uid=base256(1 << 40, 8), gid=base256(-2, 8), mode=base256(-1, 8)) + end()
    c["octal_size_spaces"] = entry("s", size=b"  0000004 \x00\x00", data=b"", fields={}) + pad(b"data") + end()
    c["octal_inner_space"] = header("s", size=b"0000 000004\x00") + pad(b"data") + end()
    c["octal_nul_then_digits"] = header("s", size=b"4\x00\x00\x0077777777") + pad(b"data") + end()
    c["octal_bad_digit"] = header("s", mtime=b"0000000008\x00\x00") + end()
    c["octal_all_spaces"] = header("s", mode=b" " * 8, uid=b"\x00" * 8) + end()
    c["mode_high_octal"] = header("s", mode=b"77777777") + end()
    c["signed_checksum"] = header("\xe9t\xe9".encode("latin-1"), chksum=None) + end()
    c["pax_size_huge"] = pax([("size", "9223372036854775807")]) + header("h") + end()
    c["pax_size_over_int64"] = pax([("size", "9223372036854775808")]) + header("h") + end()
    c["pax_size_negative"] = pax([("size", "-1")]) + header("h") + end()
    c["pax_size_plus"] = pax([("size", "+4")]) + header("h") + pad(b"data") + end()
    c["pax_size_empty"] = pax([("size", "")]) + entry("h", b"data") + end()
    c["pax_size_on_directory"] = pax([("size", "1024")]) + header("d/", type=b"5") + f + end()
    c["pax_uid_bad"] = pax([("uid", "abc")]) + f + end()
    c["pax_uid_negative"] = pax([("uid", "-5"), ("gid", "+7")]) + f + end()
    c["pax_mtime_bad"] = pax([("mtime", "12x")]) + f + end()
    c["pax_mtime_fraction"] = pax([("mtime", "1500000000.75")]) + f + end()
    c["pax_mtime_negative_fraction"] = pax([("mtime", "-1.5")]) + f + end()
    c["pax_mtime_minus_zero_fraction"] = pax([("mtime", "-0.5")]) + f + end()
    c["pax_mtime_only_fraction"] = pax([("mtime", ".5")]) + f + end()
    c["pax_mtime_trailing_dot"] = pax([("mtime", "5.")]) + f + end()
    c["pax_mtime_long_fraction"] = pax([("mtime", "-3.0000000001")]) + f + end()
    c["pax_atime_bad"] = pax([("atime", "x")]) + f + end()
    c["pax_ctime_bad_fraction"] = pax([("ctime", "1.2e3")]) + f + end()
    # PAX record syntax.
    c["pax_path_nul"] = pax([("path", b"a\x00b")]) + f + end()
    c["pax_linkpath_nul"] = pax([("linkpath", b"a\x00b")]) + header("l", type=b"2", link="x") + end()
    c["pax_comment_nul"] = pax([("comment", b"a\x00b")]) + f + end()
    c["pax_key_nul"] = pax([(b"ke\x00y", "v")]) + f + end()
    c["pax_empty_key"] = pax([], raw=b"6 =ab\n") + f + end()
    c["pax_no_equals"] = pax([], raw=b"6 abc\n") + f + end()
    c["pax_bad_length"] = pax([], raw=b"99 path=x\n") + f + end()
    c["pax_short_length"] = pax([], raw=b"4 a\n") + f + end()
    c["pax_no_newline"] = pax([], raw=b"10 path=xy") + f + end()
    c["pax_length_plus"] = pax([], raw=b"+11 path=xy\n") + f + end()
    c["pax_length_zeros"] = pax([], raw=b"011 path=xy\n") + f + end()
    c["pax_trailing_garbage"] = pax([], raw=record("path", "ok") + b"zz") + f + end()
    c["pax_empty_path"] = pax([("path", "")]) + f + end()
    c["pax_duplicate_path"] = pax([], raw=record("path", "one") + record("path", "two")) + f + end()
    c["pax_value_with_equals"] = pax([("path", "a=b")]) + f + end()
    c["pax_over_1mib"] = header("PaxHeader", size=(1 << 20) + 1, type=b"x") + end()
    # GNU sparse files.
    c["gnu_sparse_old"] = header("sp", size=0, type=b"S", magic=GNU) + end()
    c["gnu_sparse_old_not_gnu"] = header("sp", size=0, type=b"S") + end()
    c["pax_sparse_1_0"] = (pax([("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"),
                                ("GNU.sparse.name", "../../evil"), ("GNU.sparse.realsize", "10")]) +
                           entry("safe", b"1\n0\n10\n") + end())
    c["pax_sparse_0_1"] = (pax([("GNU.sparse.numblocks", "1"), ("GNU.sparse.map", "0,4"),
                                ("GNU.sparse.name", "n"), ("GNU.sparse.size", "4")]) + entry("s", b"data") + end())
    c["pax_sparse_0_0"] = (pax([("GNU.sparse.numblocks", "1"), ("GNU.sparse.offset", "0"),
                                ("GNU.sparse.numbytes", "4"), ("GNU.sparse.size", "4")]) +
                           entry("s", b"data") + end())
    c["pax_sparse_unknown_version"] = (pax([("GNU.sparse.major", "2"), ("GNU.sparse.minor", "0"),
                                            ("GNU.sparse.name", "../../evil")]) + f + end())
    c["pax_sparse_bad_order"] = pax([("GNU.sparse.numbytes", "4")]) + f + end()
    # Typeflags.
    c["rega_directory_swallows_data"] = (header("dir/", size=BLOCK, type=b"\x00") +
                                         entry("hidden", b"") + f + end())
    c["rega_file"] = header("file", size=4, type=b"\x00") + pad(b"data") + end()
    c["directory_with_size"] = header("d/", type=b"5", size=BLOCK) + f + end()
    c["hardlink_with_size"] = header("h", type=b"1", link="plain", size=3 * BLOCK) + f + end()
    c["contiguous_file"] = entry("c", b"data", type=b"7") + end()
    c["unknown_type"] = entry("u", b"data", type=b"Z") + end()
    c["extension_negative_size"] = header("PaxHeader", type=b"x", size=base256(-1, 12)) + f + end()
    c["long_name_bad_checksum"] = header("././@LongLink", size=4, type=b"L", chksum=1) + pad(b"abc\x00") + f + end()
    # Times later than oracle_test's EPOCH, for TimestampClamp: Go must read
    # its output as the same entries with the times clamped.
    late = 2000000000
    c["late_header_mtimes"] = (entry("a", b"x", mtime=late) + entry("b", mtime=base256(1 << 40, 12)) +
                               gnu_long(b"L", "long") + entry("c", mtime=late) + end())
    c["late_pax_times"] = (pax([("mtime", "2000000000.5"), ("atime", "1999999999"), ("ctime", "3000000000")]) +
                           entry("p", b"data", mtime=late) + pax([("mtime", "1000000000.25")]) + entry("q") +
                           pax([("mtime", "%d" % late)], type=b"g") + entry("r") + end())
    # Records of 513 bytes that shrink below one block when clamped.
    filler = 513 - len(record("mtime", "2000000000")) - len(record("comment", ""))
    c["late_pax_shrinks_a_block"] = (pax([("comment", "c" * filler), ("mtime", "2000000000")]) +
                                     entry("s", b"data") + end())
    c["late_gnu_times"] = entry("g", magic=GNU, fields={345: octal(late, 12), 357: octal(late, 12)}, mtime=late) + end()
    # Go reads atime..prefix as a name prefix when ctime does not parse: a
    # clamp that rewrote the atime would rename the entry.
    c["late_gnu_atime_bad_ctime"] = entry("n", magic=GNU, fields={345: octal(late, 12), 357: b"zz\x00"}) + end()
    return c


CASES = _cases()
