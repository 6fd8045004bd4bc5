// estargz_verify: checks an eStargz blob with the reference implementation,
// stargz-snapshotter's estargz package (Debian's
// golang-github-containerd-stargz-snapshotter-dev), against the tar it was
// made from.
//
// Usage: estargz_verify BLOB TOC_DIGEST TAR
//        estargz_verify toc TAR
//
// It opens the blob with estargz.Open, checks the TOC against TOC_DIGEST
// with VerifyTOC, then walks TAR with Go's archive/tar and, for every
// entry, finds it in the TOC with the same type, link target, mode, owner
// and device numbers; for every regular file it inflates each chunk alone
// from its own gzip member, checks the chunk against the TOC's chunk digest
// with the verifier VerifyTOC returned, and compares the bytes with the
// tar's, then reads the whole file through OpenFile. It prints one line
// per count and "OK", or an error and exits 1.
//
// "toc TAR" writes TAR as BuildKit does (estargz.NewWriterLevel at
// gzip.DefaultCompression, AppendTarLossLess, Close) and prints the TOC
// JSON of the result, for comparing TOCs field by field: only the member
// offsets may differ, since the deflate bytes are Go's.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/containerd/stargz-snapshotter/estargz"
	digest "github.com/opencontainers/go-digest"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "estargz_verify: "+format+"\n", args...)
	os.Exit(1)
}

func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

var typeNames = map[byte]string{
	tar.TypeReg: "reg", tar.TypeLink: "hardlink", tar.TypeSymlink: "symlink",
	tar.TypeDir: "dir", tar.TypeChar: "char", tar.TypeBlock: "block", tar.TypeFifo: "fifo",
}

// checkChunks inflates every chunk of a file from its own member and checks
// it against the chunk digest and the tar's bytes.
func checkChunks(blob *io.SectionReader, r *estargz.Reader, v estargz.TOCEntryVerifier,
	name string, data []byte) int {
	chunks := 0
	for off := int64(0); off < int64(len(data)); {
		ce, ok := r.ChunkEntryForOffset(name, off)
		if !ok {
			fail("%s: no chunk at offset %d", name, off)
		}
		if ce.ChunkOffset != off {
			fail("%s: chunk at %d has chunkOffset %d", name, off, ce.ChunkOffset)
		}
		zr, err := gzip.NewReader(io.NewSectionReader(blob, ce.Offset, ce.NextOffset()-ce.Offset))
		if err != nil {
			fail("%s: chunk at %d: no gzip member at offset %d: %v", name, off, ce.Offset, err)
		}
		chunk := make([]byte, ce.ChunkSize)
		if _, err := io.ReadFull(zr, chunk); err != nil {
			fail("%s: chunk at %d: %v", name, off, err)
		}
		verifier, err := v.Verifier(ce)
		if err != nil {
			fail("%s: chunk at %d: %v", name, off, err)
		}
		verifier.Write(chunk)
		if !verifier.Verified() {
			fail("%s: chunk at %d does not match its chunkDigest", name, off)
		}
		if !bytes.Equal(chunk, data[off:off+ce.ChunkSize]) {
			fail("%s: chunk at %d differs from the tar", name, off)
		}
		off += ce.ChunkSize
		chunks++
	}
	return chunks
}

func checkEntry(h *tar.Header, e *estargz.TOCEntry) {
	want := typeNames[h.Typeflag]
	if h.Typeflag == tar.TypeLink {
		want = e.Type // Lookup follows a hard link to its target.
	}
	if e.Type != want {
		fail("%s: type %q in the TOC, %q in the tar", h.Name, e.Type, want)
	}
	if h.Typeflag == tar.TypeSymlink && e.LinkName != h.Linkname {
		fail("%s: link %q in the TOC, %q in the tar", h.Name, e.LinkName, h.Linkname)
	}
	if h.Typeflag != tar.TypeLink && (e.Mode != h.Mode || e.UID != h.Uid || e.GID != h.Gid ||
		int64(e.DevMajor) != h.Devmajor || int64(e.DevMinor) != h.Devminor) {
		fail("%s: mode/owner/device differ: TOC %+v, tar %+v", h.Name, e, h)
	}
}

func printToc(tarPath string) {
	in, err := os.Open(tarPath)
	if err != nil {
		fail("%v", err)
	}
	var blob bytes.Buffer
	w := estargz.NewWriterLevel(&blob, gzip.DefaultCompression)
	if err := w.AppendTarLossLess(in); err != nil {
		fail("AppendTarLossLess: %v", err)
	}
	if _, err := w.Close(); err != nil {
		fail("Close: %v", err)
	}
	sr := io.NewSectionReader(bytes.NewReader(blob.Bytes()), 0, int64(blob.Len()))
	tocOffset, _, err := estargz.OpenFooter(sr)
	if err != nil {
		fail("OpenFooter: %v", err)
	}
	zr, err := gzip.NewReader(io.NewSectionReader(sr, tocOffset, sr.Size()-tocOffset))
	if err != nil {
		fail("%v", err)
	}
	tr := tar.NewReader(zr)
	if _, err := tr.Next(); err != nil {
		fail("%v", err)
	}
	if _, err := io.Copy(os.Stdout, tr); err != nil {
		fail("%v", err)
	}
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "toc" {
		printToc(os.Args[2])
		return
	}
	if len(os.Args) != 4 {
		fail("usage: estargz_verify BLOB TOC_DIGEST TAR")
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	st, _ := f.Stat()
	blob := io.NewSectionReader(f, 0, st.Size())
	r, err := estargz.Open(blob)
	if err != nil {
		fail("estargz.Open: %v", err)
	}
	v, err := r.VerifyTOC(digest.Digest(os.Args[2]))
	if err != nil {
		fail("VerifyTOC: %v", err)
	}
	in, err := os.Open(os.Args[3])
	if err != nil {
		fail("%v", err)
	}
	tr := tar.NewReader(in)
	entries, files, chunks := 0, 0, 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail("reading the tar: %v", err)
		}
		name := clean(h.Name)
		if name == "" {
			continue // The root itself.
		}
		e, ok := r.Lookup(name)
		if !ok {
			fail("%s: not in the TOC", h.Name)
		}
		checkEntry(h, e)
		entries++
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			fail("%s: %v", h.Name, err)
		}
		chunks += checkChunks(blob, r, v, name, data)
		sr, err := r.OpenFile(name)
		if err != nil {
			fail("%s: OpenFile: %v", h.Name, err)
		}
		whole, err := io.ReadAll(io.NewSectionReader(sr, 0, sr.Size()))
		if err != nil || !bytes.Equal(whole, data) {
			fail("%s: OpenFile gives other bytes (%v)", h.Name, err)
		}
		files++
	}
	fmt.Printf("entries %d\nfiles %d\nchunks %d\nOK\n", entries, files, chunks)
}
