package reports

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
)

// Format is a report output format.
type Format string

// Report formats.
const (
	// FormatMarkdown is Markdown for a design review: tables, and image
	// links to PNG charts written beside it (RenderOptions.Images).
	FormatMarkdown Format = "md"
	// FormatHTML is one self-contained HTML file: charts inline as SVG data
	// URIs, no external CSS, scripts or fonts; readable on a phone and in
	// print.
	FormatHTML Format = "html"
	// FormatJSON is the report model with its summary, checks and
	// crossovers, for automation.
	FormatJSON Format = "json"
)

// ParseFormat parses "md" (or "markdown"), "html" or "json".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "md", "markdown":
		return FormatMarkdown, nil
	case "html", "htm":
		return FormatHTML, nil
	case "json":
		return FormatJSON, nil
	}
	return "", fmt.Errorf("report format %q: must be md, html or json", s)
}

// FormatFromPath picks the format from a file extension: .md/.markdown,
// .html/.htm or .json; "-" (standard output) is Markdown.
func FormatFromPath(path string) (Format, error) {
	if path == "-" {
		return FormatMarkdown, nil
	}
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	f, err := ParseFormat(ext)
	if err != nil || ext == "" {
		return "", fmt.Errorf("report file %q: extension %q: must be .md, .markdown, .html, .htm or .json", path, filepath.Ext(path))
	}
	return f, nil
}

// ImageSink receives the chart images of a Markdown report.
type ImageSink interface {
	// Create opens the image called name (a file name, no directories)
	// for writing; the renderer closes it.
	Create(name string) (io.WriteCloser, error)
}

// DirImages writes images as files in Dir, synced to disk on close.
type DirImages struct{ Dir string }

// Create creates Dir/name, replacing an existing file.
func (d DirImages) Create(name string) (io.WriteCloser, error) {
	if name != filepath.Base(name) || name == "." || name == ".." {
		return nil, fmt.Errorf("image name %q: must be a plain file name", name)
	}
	f, err := os.Create(filepath.Join(d.Dir, name))
	if err != nil {
		return nil, err
	}
	return syncCloser{f}, nil
}

type syncCloser struct{ *os.File }

func (s syncCloser) Close() error {
	if err := s.File.Sync(); err != nil {
		s.File.Close()
		return err
	}
	return s.File.Close()
}

// RenderOptions tune Render. The zero value renders charts at the default
// size and leaves them out of Markdown.
type RenderOptions struct {
	// Images receives a Markdown report's charts as PNG files named
	// ImagePrefix + chart + ".png" ("report-cost.png"), linked from the
	// Markdown by that name. Nil: Markdown carries no charts.
	Images      ImageSink
	ImagePrefix string
	// Width and Height of each chart (default DefaultPlotWidth ×
	// DefaultPlotHeight; PNG at 96 dpi).
	Width, Height vg.Length
}

func (o RenderOptions) size() (vg.Length, vg.Length) {
	w, h := o.Width, o.Height
	if w <= 0 {
		w = DefaultPlotWidth
	}
	if h <= 0 {
		h = DefaultPlotHeight
	}
	return w, h
}

// Render writes rep to w in format f. Markdown and HTML start with the
// summary (see Report.Summary), then checks, runs side by side, the plan
// and the transfer; JSON is the report model with the summary, checks and
// crossovers added.
func Render(w io.Writer, f Format, rep *Report, opts RenderOptions) error {
	if rep == nil {
		return fmt.Errorf("render report: nil report")
	}
	switch f {
	case FormatJSON:
		return renderJSON(w, rep)
	case FormatMarkdown, FormatHTML:
	default:
		return fmt.Errorf("render report: format %q: must be md, html or json", f)
	}
	d, err := build(rep)
	if err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	if f == FormatMarkdown {
		return renderMarkdown(w, d, opts)
	}
	return renderHTML(w, d, opts)
}

// WriteFile renders rep to path in the format its extension names. A
// Markdown report gets its charts as PNG files beside it, named
// "<stem>-<chart>.png". The file is synced before WriteFile returns.
func WriteFile(path string, rep *Report) error {
	f, err := FormatFromPath(path)
	if err != nil {
		return err
	}
	return WriteFileAs(path, f, rep)
}

// WriteFileAs renders rep to path in format f (whatever its extension),
// as WriteFile does.
func WriteFileAs(path string, f Format, rep *Report) error {
	if path == "-" {
		return fmt.Errorf("report file %q: write standard output with Render", path)
	}
	var opts RenderOptions
	if f == FormatMarkdown {
		stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		opts.Images, opts.ImagePrefix = DirImages{Dir: filepath.Dir(path)}, stem+"-"
	}
	var buf bytes.Buffer
	if err := Render(&buf, f, rep, opts); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := out.Write(buf.Bytes()); err != nil {
		out.Close()
		return fmt.Errorf("write report %s: %w", path, err)
	}
	if err := (syncCloser{out}).Close(); err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}

// renderJSON writes the report model with its derived figures.
func renderJSON(w io.Writer, rep *Report) error {
	out := struct {
		Schema  string   `json:"schema"`
		Summary []string `json:"summary"`
		Checks  []Check  `json:"checks,omitempty"`
		*Report
	}{"streamcap.report/v1", rep.Summary(), rep.checks(), rep}
	if out.Summary == nil {
		out.Summary = []string{}
	}
	return writeJSON(w, out)
}

// renderMarkdown writes d as Markdown, charts as PNG image links.
func renderMarkdown(w io.Writer, d *document, o RenderOptions) error {
	e := &errWriter{w: w}
	e.printf("# %s\n\n", mdEscape(d.title))
	for _, s := range d.summary {
		e.printf("**%s**\n\n", mdEscape(s))
	}
	if d.badge != "" {
		e.printf("Status: %s\n\n", d.badge)
	}
	width, height := o.size()
	for _, s := range d.sections {
		e.printf("## %s\n\n", mdEscape(s.heading))
		for _, b := range s.blocks {
			switch {
			case b.text != "":
				e.printf("%s\n\n", mdEscape(b.text))
			case b.warn != "":
				e.printf("> **Warning:** %s\n\n", mdEscape(b.warn))
			case b.table != nil:
				mdTable(e, b.table)
			case b.chart != nil && o.Images != nil:
				name := o.ImagePrefix + b.chart.name + ".png"
				if err := writeImage(o.Images, name, b.chart, width, height); err != nil {
					return fmt.Errorf("render report: chart %s: %w", b.chart.name, err)
				}
				e.printf("![%s](%s)\n\n", mdEscape(b.chart.title), name)
			}
		}
	}
	return e.err
}

func writeImage(sink ImageSink, name string, c *docChart, width, height vg.Length) error {
	f, err := sink.Create(name)
	if err != nil {
		return err
	}
	if err := WritePNG(f, c.plot, width, height); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func mdTable(e *errWriter, t *docTable) {
	if t.caption != "" {
		e.printf("**%s**\n\n", mdEscape(t.caption))
	}
	e.printf("|")
	for _, h := range t.head {
		e.printf(" %s |", mdEscape(h))
	}
	e.printf("\n|")
	for i := range t.head {
		if i < len(t.right) && t.right[i] {
			e.printf("---:|")
		} else {
			e.printf("---|")
		}
	}
	e.printf("\n")
	for _, r := range t.rows {
		e.printf("|")
		for _, c := range r {
			e.printf(" %s |", mdEscape(c))
		}
		e.printf("\n")
	}
	e.printf("\n")
}

// svgDataURI renders c as an SVG data URI.
func svgDataURI(c *docChart, width, height vg.Length) (string, error) {
	var buf bytes.Buffer
	if err := WriteSVG(&buf, c.plot, width, height); err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
