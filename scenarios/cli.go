package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/streamcap/streamcap/model/units"
)

// List writes the bundled scenarios as an aligned table for
// `streamcap scenarios list`:
//
//	NAME          RATE    RECORD SIZE  DESCRIPTION
//	kds-3000x1kb  3000/s  1KB          3000 messages of 1 KB per second …
func List(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRATE\tRECORD SIZE\tDESCRIPTION")
	for _, in := range Bundled() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, in.Rate, in.RecordSize, in.Description)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("scenarios list: %w", err)
	}
	return nil
}

// ListSchema names the JSON document ListJSON writes.
const ListSchema = "streamcap.scenarios/v1"

// listJSON is the document `streamcap scenarios list -o json` writes.
type listJSON struct {
	Schema    string     `json:"schema"`
	Scenarios []listItem `json:"scenarios"`
}

// listItem is one bundled scenario in listJSON.
type listItem struct {
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Rate          units.EventRate `json:"rate"`
	RatePerSecond float64         `json:"rate_per_second"`
	RecordSize    string          `json:"record_size"`
}

// ListJSON writes the bundled scenarios as JSON for `streamcap scenarios
// list -o json`: {"schema": "streamcap.scenarios/v1", "scenarios": [{name,
// description, rate ("3000/s"), rate_per_second, record_size}]}.
func ListJSON(w io.Writer) error {
	doc := listJSON{Schema: ListSchema, Scenarios: []listItem{}}
	for _, in := range Bundled() {
		doc.Scenarios = append(doc.Scenarios, listItem{in.Name, in.Description, in.Rate, in.Rate.PerSecond(), in.RecordSize})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("scenarios list: %w", err)
	}
	return nil
}

// Show writes a bundled scenario's YAML exactly as shipped (comments
// included) for `streamcap scenarios show NAME`, so it can be copied and
// edited. An unknown name wraps ErrUnknown and ErrInvalid.
func Show(w io.Writer, name string) error {
	data, err := Source(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("scenarios show %s: %w", name, err)
	}
	return nil
}

// ShowNormalized writes the scenario ref (a file or a bundled name) after
// Defaults, in Format's canonical form: every value a plan will use.
func ShowNormalized(w io.Writer, ref string) error {
	_, wl, err := Open(ref)
	if err != nil {
		return err
	}
	out, err := Format(wl)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("scenarios show %s: %w", ref, err)
	}
	return nil
}

// Validate checks each ref (a file path or a bundled name; every bundled
// scenario when refs is empty) for `streamcap scenarios validate FILE...`.
// It writes "REF: ok" for each good one and every problem of each bad one
// to out, then returns nil when all were valid, or an error wrapping
// ErrInvalid that counts the invalid ones (the command exits 2).
func Validate(out io.Writer, refs []string) error {
	if len(refs) == 0 {
		refs = Names()
	}
	bad := 0
	for _, ref := range refs {
		_, _, err := Open(ref)
		switch {
		case err == nil:
			fmt.Fprintf(out, "%s: ok\n", ref)
		case errors.Is(err, ErrInvalid):
			bad++
			fmt.Fprintln(out, err)
		default:
			return fmt.Errorf("scenarios validate %s: %w", ref, err)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d of %d scenario files invalid", ErrInvalid, bad, len(refs))
	}
	return nil
}
