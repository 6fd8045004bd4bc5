// gzip0 writes the file named by its first argument to stdout as Go's
// compress/gzip writes it at gzip.NoCompression, the writer BuildKit uses
// for compression-level=0. The other arguments are write sizes, used in
// turn, so that the test can show the output does not depend on them.
package main

import (
	"compress/gzip"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gzip0:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: gzip0 FILE [WRITE_SIZE...]")
	}
	data, err := ioutil.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	sizes := []int{len(data) + 1}
	if len(os.Args) > 2 {
		sizes = nil
		for _, a := range os.Args[2:] {
			n, err := strconv.Atoi(a)
			if err != nil || n < 1 {
				return fmt.Errorf("bad write size %q", a)
			}
			sizes = append(sizes, n)
		}
	}
	w, err := gzip.NewWriterLevel(os.Stdout, gzip.NoCompression)
	if err != nil {
		return err
	}
	for i := 0; len(data) > 0; i++ {
		n := sizes[i%len(sizes)]
		if n > len(data) {
			n = len(data)
		}
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return w.Close()
}
