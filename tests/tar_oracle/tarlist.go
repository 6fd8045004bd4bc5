// tarlist lists a tar as Go's archive/tar reads it: the oracle for
// imagewriter's TarReader (tarlist_cc.cc prints the same format).
//
// One line per entry:
//   entry name=<esc> link=<esc> type=<byte> size=<data bytes> mode=<n> uid=<n> gid=<n> mtime=<unix s>
// then one final line: "end", or "error <message>" when Next fails, or
// "sparse <esc name>" when the entry is a GNU sparse file (imagewriter
// refuses those). <esc> keeps printable ASCII except '%' and writes every
// other byte as %XX. PAX global headers ('g') are skipped: extractors
// ignore them. Size is the number of data bytes that follow the header,
// 0 for links, devices, directories and FIFOs.
//
// Standard library only; run with `go run tarlist.go FILE` or build it.
package main

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"os"
)

func esc(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > 0x20 && c < 0x7f && c != '%' {
			out = append(out, c)
		} else {
			out = append(out, fmt.Sprintf("%%%02X", c)...)
		}
	}
	return string(out)
}

func headerOnly(t byte) bool { return t >= '1' && t <= '6' }

// sparse reports whether Go's reader took the entry as a GNU sparse file
// (reader.go handleSparseFile and readGNUSparsePAXHeaders).
func sparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	major, minor := h.PAXRecords["GNU.sparse.major"], h.PAXRecords["GNU.sparse.minor"]
	switch {
	case major == "0" && (minor == "0" || minor == "1"), major == "1" && minor == "0":
		return true
	case major != "" || minor != "":
		return false
	}
	return h.PAXRecords["GNU.sparse.map"] != ""
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			fmt.Fprintln(out, "end")
			return
		}
		if err != nil {
			fmt.Fprintf(out, "error %v\n", err)
			return
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if sparse(h) {
			fmt.Fprintf(out, "sparse %s\n", esc(h.Name))
			return
		}
		size := h.Size
		if headerOnly(h.Typeflag) {
			size = 0
		}
		fmt.Fprintf(out, "entry name=%s link=%s type=%d size=%d mode=%d uid=%d gid=%d mtime=%d\n",
			esc(h.Name), esc(h.Linkname), h.Typeflag, size, h.Mode, h.Uid, h.Gid, h.ModTime.Unix())
	}
}
