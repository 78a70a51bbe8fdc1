package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/scenarios"
)

// Exit codes, decided here and nowhere else.
const (
	exitOK      = 0
	exitFailure = 1 // the run failed or an SLO was missed
	exitUsage   = 2 // bad usage or bad input
)

// usageError marks bad flags, arguments or input files (exit 2).
type usageError struct{ err error }

// Error implements error.
func (e *usageError) Error() string { return e.err.Error() }

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *usageError) Unwrap() error { return e.err }

// usagef builds a usageError.
func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

// asUsage wraps err as a usage error (nil stays nil).
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// failureError marks a run that completed but failed its checks (exit 1)
// after its output was written; the message says which check.
type failureError struct{ msg string }

// Error implements error.
func (e *failureError) Error() string { return e.msg }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var ue *usageError
	var pe *units.ParseError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &pe), isCobraUsage(err),
		errors.Is(err, bench.ErrInvalidOptions), errors.Is(err, driver.ErrInvalidOption),
		errors.Is(err, model.ErrPlanInput), errors.Is(err, model.ErrInvalidWorkload), errors.Is(err, scenarios.ErrInvalid):
		return exitUsage
	default:
		return exitFailure
	}
}

// isCobraUsage recognises cobra's own flag and argument errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "requires at most", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
