// estargz_maker: writes a tar as eStargz with the estargz package Debian
// ships (v0.12), so that oracle_test.py can pass blobs made by another
// writer through imagewriter:
//
//	estargz_maker lossless TAR OUT  the tar's bytes kept (AppendTarLossLess),
//	                                as BuildKit writes a layer
//	estargz_maker build TAR OUT     estargz.Build: entries re-written, a
//	                                .no.prefetch.landmark added, the tar cut
//	                                into parts compressed apart and joined,
//	                                no end-of-archive before the TOC
//
// It prints the TOC digest.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/containerd/stargz-snapshotter/estargz"
)

func lossless(in *os.File, out *os.File) (string, error) {
	w := estargz.NewWriter(out)
	if err := w.AppendTarLossLess(in); err != nil {
		return "", err
	}
	d, err := w.Close()
	return d.String(), err
}

func build(in *os.File, out *os.File) (string, error) {
	st, err := in.Stat()
	if err != nil {
		return "", err
	}
	blob, err := estargz.Build(io.NewSectionReader(in, 0, st.Size()))
	if err != nil {
		return "", err
	}
	defer blob.Close()
	if _, err := io.Copy(out, blob); err != nil {
		return "", err
	}
	return blob.TOCDigest().String(), nil
}

func main() {
	if len(os.Args) != 4 || (os.Args[1] != "lossless" && os.Args[1] != "build") {
		fmt.Fprintln(os.Stderr, "usage: estargz_maker lossless|build TAR OUT")
		os.Exit(2)
	}
	in, err := os.Open(os.Args[2])
	if err != nil {
		panic(err)
	}
	out, err := os.Create(os.Args[3])
	if err != nil {
		panic(err)
	}
	make := lossless
	if os.Args[1] == "build" {
		make = build
	}
	d, err := make(in, out)
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		panic(err)
	}
	fmt.Println(d)
}
