package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/model/units"
)

// outputOptions is the output convention of every command that writes a
// document (plan, transfer, prices, scenarios list): -o/--output is the
// FORMAT; --out FILE writes the document to FILE instead of standard
// output, in the format -o names or, without -o, the one FILE's extension
// names.
type outputOptions struct {
	format  string
	file    string
	formats []string // accepted formats; the first is the default
}

// formatOfExt maps a file extension to the format it implies.
var formatOfExt = map[string]string{
	".txt": "text", ".text": "text",
	".md": "markdown", ".markdown": "markdown",
	".json": "json",
	".yaml": "yaml", ".yml": "yaml",
	".html": "html", ".htm": "html",
}

// formatAlias maps the short names -o also takes to the format's name.
var formatAlias = map[string]string{"md": "markdown", "txt": "text", "htm": "html"}

// register adds -o/--output and --out to fs; formats are the accepted
// formats, the first the default.
func (o *outputOptions) register(fs *pflag.FlagSet, formats ...string) {
	o.formats = formats
	fs.StringVarP(&o.format, "output", "o", formats[0], "output format: "+strings.Join(formats, " | "))
	fs.StringVar(&o.file, "out", "", "write the document to this file instead of standard output (format: -o, else from the extension "+strings.Join(o.extensions(), ", ")+")")
}

// extensions lists the file extensions that imply an accepted format.
func (o *outputOptions) extensions() []string {
	var out []string
	for _, ext := range []string{".txt", ".md", ".json", ".yaml", ".html"} {
		for _, f := range o.formats {
			if formatOfExt[ext] == f {
				out = append(out, ext)
			}
		}
	}
	return out
}

// resolve settles the format: -o when given, else --out's extension, else
// the default. An unknown format is a usage error naming the accepted ones.
func (o *outputOptions) resolve(fs *pflag.FlagSet) (string, error) {
	if f, ok := formatAlias[strings.ToLower(o.format)]; ok {
		o.format = f
	}
	if fs.Changed("output") || o.file == "" {
		return o.format, checkOutput(o.format, o.formats...)
	}
	ext := strings.ToLower(filepath.Ext(o.file))
	f, ok := formatOfExt[ext]
	if ok && checkOutput(f, o.formats...) == nil {
		return f, nil
	}
	return "", usagef("--out %s: cannot tell the format from %q; name it with -o (%s) or use an extension %s",
		units.Quote(o.file), ext, strings.Join(o.formats, " | "), strings.Join(o.extensions(), ", "))
}

// emit writes the document render produces to standard output or, with
// --out, to the file (writeFile: whole or not at all).
func (o *outputOptions) emit(io *streams, render func(w io.Writer) error) error {
	if o.file == "" {
		return render(io.Out)
	}
	if err := writeFile(o.file, func(f *os.File) error { return render(f) }); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// writeFile is how every command writes a file (--out, --hlog, merged
// results): whole to a temporary file in the same directory, synced, made
// 0644 and renamed into place, so a write that fails leaves an existing
// file as it was.
func writeFile(path string, fn func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	err = fn(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
