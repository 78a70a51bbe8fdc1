package scenarios

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error this package returns for bad input:
// a malformed or out-of-range scenario, an unreadable file, an unknown
// bundled name. The command maps errors.Is(err, ErrInvalid) to exit code 2.
var ErrInvalid = errors.New("invalid scenario")

// ErrUnknown is wrapped (with ErrInvalid) when a name is neither a readable
// file nor a bundled scenario.
var ErrUnknown = errors.New("unknown scenario")

// Problem is one thing wrong with a scenario file.
type Problem struct {
	// Line is the 1-based line in the file, or 0 when the problem has no
	// single place (a missing field, a default out of range).
	Line int
	// Field is the YAML path ("consumers[0].kind"), or "" for a problem with
	// the whole document (a syntax error, an empty file).
	Field string
	// Msg names the field, the value and the accepted range:
	// `consumers[0].kind "polling": must be one of shared, efo`.
	Msg string
	// Err is the underlying error when there is one (a *model.FieldError,
	// a *units.ParseError), for errors.As.
	Err error
}

// String renders "line 12: <Msg>", or Msg alone when the line is unknown.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return p.Msg
}

// Error is every problem found in one scenario file. It wraps ErrInvalid.
type Error struct {
	// File is the name the scenario was given to Parse (a path or a
	// bundled name).
	File string
	// Problems are in line order; problems without a line come last.
	Problems []Problem
}

// Error renders one line per problem:
//
//	scenario "x.yaml": line 4: consumers[0].kind "polling": must be one of shared, efo
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "scenario %q: %s", e.File, p)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) true and exposes each problem's
// underlying error to errors.As.
func (e *Error) Unwrap() []error {
	out := []error{ErrInvalid}
	for _, p := range e.Problems {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}
