// Package scenarios reads, checks and writes streamcap scenario files: YAML
// descriptions of a workload (rate, record sizes, partition keys, consumers,
// retention, optional transfer, SLO and benchmark blocks) that become a
// model.Workload. It also embeds the bundled example scenarios and offers
// the library side of `streamcap scenarios list|show|validate`.
//
// Parsing is strict: unknown or duplicate fields, wrong types, malformed
// quantities and out-of-range values are all reported at once, each naming
// the file, the line, the field path, the value and the accepted range. Every
// such error wraps ErrInvalid. The format is documented in docs/scenarios.md.
//
// All functions are safe for concurrent use; the package holds no mutable
// state.
package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/streamcap/streamcap/model"
)

// requiredFields must appear in every scenario file (they have no default).
var requiredFields = []struct{ name, example string }{
	{"rate", "records per second, e.g. rate: 3000/s"},
	{"record_size", "e.g. record_size: 1KB"},
}

// Parse reads one scenario from data. file names the scenario in error
// messages (a path or a bundled name). The result has Defaults applied and
// has passed Validate; a missing name is taken from the file name without
// its extension.
//
// Every problem found is returned together as an *Error wrapping ErrInvalid:
// YAML syntax, an empty file or more than one document, unknown or duplicate
// fields, a wrong type, a malformed quantity, a missing required field
// (rate, record_size), and every Validate range.
func Parse(file string, data []byte) (*model.Workload, error) {
	root, perr := document(data)
	if perr != nil {
		return nil, &Error{File: file, Problems: []Problem{*perr}}
	}

	var w model.Workload
	d := newDecoder()
	d.value(root, reflect.ValueOf(&w).Elem(), "")
	if root.Kind == yaml.MappingNode {
		for _, r := range requiredFields {
			if _, ok := d.lines[r.name]; !ok {
				d.problems = append(d.problems, Problem{Field: r.name, Msg: fmt.Sprintf("%s: missing (required: %s)", r.name, r.example)})
			}
		}
	}
	if w.Name == "" {
		w.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	w.Defaults()

	problems := d.problems
	if root.Kind == yaml.MappingNode {
		var fes model.FieldErrors
		if err := w.Validate(); err != nil && !errors.As(err, &fes) {
			return nil, fmt.Errorf("scenario %q: %w", file, err)
		}
	next:
		for _, fe := range fes {
			for _, p := range d.problems {
				if covers(p.Field, fe.Field) {
					continue next // already reported as a decode problem
				}
			}
			problems = append(problems, Problem{Line: d.lineOf(fe.Field), Field: fe.Field, Msg: fe.Error(), Err: fe})
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int {
			return cmp.Compare(lineKey(a.Line), lineKey(b.Line))
		})
		return nil, &Error{File: file, Problems: problems}
	}
	return &w, nil
}

// lineKey sorts problems without a line after all others.
func lineKey(l int) int {
	if l == 0 {
		return int(^uint(0) >> 1)
	}
	return l
}

// document parses data as exactly one YAML document and returns its root.
func document(data []byte) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{Msg: "empty file: a scenario needs at least rate and record_size"}
		}
		p := yamlSyntax(err)
		return nil, &p
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &Problem{Line: extra.Line, Msg: "more than one YAML document (---): a scenario file holds exactly one"}
	case !errors.Is(err, io.EOF):
		p := yamlSyntax(err)
		return nil, &p
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) != 1 {
			return nil, &Problem{Msg: "empty file: a scenario needs at least rate and record_size"}
		}
		root = doc.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, &Problem{Line: root.Line, Msg: "empty file: a scenario needs at least rate and record_size"}
	}
	return root, nil
}

// Load reads and parses the scenario file at path (see Parse). Read errors
// wrap ErrInvalid too: a file the user named that cannot be read is bad
// input.
func Load(path string) (*model.Workload, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w: %w", path, ErrInvalid, err)
	}
	return Parse(path, data)
}

// Open resolves ref as a scenario file path or, failing that, a bundled
// scenario name, and parses it. A ref that names an existing file, contains
// a path separator or ends in .yaml/.yml is always read as a file. The
// returned bytes are the scenario's source text.
func Open(ref string) ([]byte, *model.Workload, error) {
	if looksLikePath(ref) {
		data, err := os.ReadFile(ref)
		if err != nil {
			return nil, nil, fmt.Errorf("scenario %q: %w: %w", ref, ErrInvalid, err)
		}
		w, err := Parse(ref, data)
		return data, w, err
	}
	return Get(ref)
}

func looksLikePath(ref string) bool {
	if strings.ContainsRune(ref, filepath.Separator) || strings.Contains(ref, "/") {
		return true
	}
	if ext := filepath.Ext(ref); ext == ".yaml" || ext == ".yml" {
		return true
	}
	_, err := os.Stat(ref)
	return err == nil
}
