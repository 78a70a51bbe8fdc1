package main

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// streams is the command's IO, injected so tests run commands in-process.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether Out and ErrOut are terminals (live
	// progress lines are drawn only on a terminal).
	OutTTY, ErrTTY bool
}

// systemStreams wires the process's standard streams.
func systemStreams() *streams {
	return &streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// testStreams returns streams that capture output in buffers.
func testStreams() (*streams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &streams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}, out, errOut
}
