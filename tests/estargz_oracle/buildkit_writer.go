// buildkit_writer: writes a tar as eStargz exactly as BuildKit does
// (util/compression/estargz.go: estargz.NewWriterLevel, AppendTarLossLess,
// Close), and prints the TOC digest and the diffID. It made the level-0
// golden digests in oracle_test.py, which imagewriter must equal byte for
// byte. It needs stargz-snapshotter's estargz package v0.18 (Debian has
// v0.12, which lacks the flush before each chunk), so the test does not
// build it. To reproduce, with the v0.18.2 sources of
// github.com/containerd/stargz-snapshotter/estargz under $GOPATH/src:
//
//	GO111MODULE=off GOPATH=$GOPATH:/usr/share/gocode go build -o bkw buildkit_writer.go
//	./bkw 0 testdata/layers/hello.tar out.blob
//
// Usage: buildkit_writer LEVEL TAR OUT
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/containerd/stargz-snapshotter/estargz"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: buildkit_writer LEVEL TAR OUT")
		os.Exit(2)
	}
	level, err := strconv.Atoi(os.Args[1])
	if err != nil {
		panic(err)
	}
	in, err := os.Open(os.Args[2])
	if err != nil {
		panic(err)
	}
	out, err := os.Create(os.Args[3])
	if err != nil {
		panic(err)
	}
	w := estargz.NewWriterLevel(out, level)
	if err := w.AppendTarLossLess(in); err != nil {
		panic(err)
	}
	tocDigest, err := w.Close()
	if err != nil {
		panic(err)
	}
	if err := out.Close(); err != nil {
		panic(err)
	}
	fmt.Printf("%s\n%s\n", tocDigest, w.DiffID())
}
