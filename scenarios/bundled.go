package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
)

// bundledFS holds the example scenarios compiled into the binary.
//
//go:embed bundled/*.yaml
var bundledFS embed.FS

// Seed is the name of the default scenario: 3000 records/s of 1 KB into
// Kinesis with a Lambda consumer (`make run` plans it).
const Seed = "kds-3000x1kb"

// Info summarises one bundled scenario for `streamcap scenarios list`.
type Info struct {
	// Name is the bundled name (the file name without .yaml).
	Name string
	// Description is the scenario's one-line description.
	Description string
	// Rate is the average write rate.
	Rate units.EventRate
	// RecordSize is the record size in words: "1KB", "100B–2KB uniform",
	// "3 weighted sizes, mean 940B".
	RecordSize string
}

// Names lists the bundled scenario names in alphabetical order.
func Names() []string {
	entries, _ := fs.ReadDir(bundledFS, "bundled") // embedded: cannot fail
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Source returns the bundled scenario's YAML exactly as shipped, or an
// error wrapping ErrUnknown and ErrInvalid.
func Source(name string) ([]byte, error) {
	data, err := bundledFS.ReadFile(path.Join("bundled", name+".yaml"))
	if err != nil || strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("scenario %q: %w: %w: not a file and not a bundled scenario (bundled: %s)",
			name, ErrInvalid, ErrUnknown, strings.Join(Names(), ", "))
	}
	return data, nil
}

// Get returns a bundled scenario's source and its parsed workload (with
// Defaults applied). An unknown name is an error wrapping ErrUnknown and
// ErrInvalid that lists the bundled names.
func Get(name string) ([]byte, *model.Workload, error) {
	data, err := Source(name)
	if err != nil {
		return nil, nil, err
	}
	w, err := Parse(name+".yaml", data)
	if err != nil {
		return nil, nil, err
	}
	return data, w, nil
}

// Bundled summarises every bundled scenario, sorted by name. The files are
// compiled in and checked by the package tests, so a parse failure is a
// build defect: Bundled panics rather than return a half list.
func Bundled() []Info {
	names := Names()
	infos := make([]Info, 0, len(names))
	for _, n := range names {
		_, w, err := Get(n)
		if err != nil {
			panic(fmt.Sprintf("scenarios: bundled scenario %s does not parse: %v", n, err))
		}
		infos = append(infos, Info{
			Name:        n,
			Description: firstLine(w.Description),
			Rate:        w.Rate,
			RecordSize:  DescribeSize(w.RecordSize),
		})
	}
	return infos
}

// firstLine returns the first line of s, trimmed.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// DescribeSize renders a record size distribution in a few words: "1KB",
// "100B–2KB uniform", "3 weighted sizes, mean 940B".
func DescribeSize(d model.SizeDist) string {
	switch d.Kind {
	case model.SizeFixed:
		return d.Fixed.String()
	case model.SizeUniform:
		return fmt.Sprintf("%s–%s uniform", d.Min, d.Max)
	case model.SizeWeighted:
		var sum, wsum float64
		for _, ws := range d.Weighted {
			sum += float64(ws.Size) * ws.Weight
			wsum += ws.Weight
		}
		var mean units.Bytes
		if wsum > 0 {
			mean = units.Bytes(sum/wsum + 0.5)
		}
		return fmt.Sprintf("%d weighted sizes, mean %s", len(d.Weighted), mean)
	}
	return string(d.Kind)
}
