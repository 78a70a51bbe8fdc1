package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

// exitCode maps an error returned by a command to the process exit code,
// by its type only: usage errors (bad flags, arguments or input, including
// cobra's own, which usageErrors wraps) exit 2, anything else 1. Message
// text never decides.
func exitCode(err error) int {
	var ue *usageError
	var pe *units.ParseError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &pe),
		errors.Is(err, bench.ErrInvalidOptions), errors.Is(err, driver.ErrInvalidOption),
		errors.Is(err, model.ErrPlanInput), errors.Is(err, model.ErrInvalidWorkload), errors.Is(err, scenarios.ErrInvalid):
		return exitUsage
	default:
		return exitFailure
	}
}

// usageErrors makes every flag and argument error cobra can return for
// root and its sub-commands a usageError: flag parsing errors through the
// flag error function, argument errors by wrapping each command's Args
// validator (a command without one gets cobra's default rule: an unknown
// sub-command of root is an error).
func usageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// pflag's message quotes the whole value; name the flag and quote
		// a short prefix instead (units.Quote), keeping the cause.
		var iv *pflag.InvalidValueError
		if errors.As(err, &iv) {
			return usagef("%w (see '%s --help')", flagValueError(iv), c.CommandPath())
		}
		return usagef("%w (see '%s --help')", err, c.CommandPath())
	})
	if root.Run == nil && root.RunE == nil {
		// Root must run for its Args rule to apply (cobra shows help for a
		// command that cannot run without validating its arguments).
		root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		inner := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			var err error
			switch {
			case inner != nil:
				err = inner(cmd, args)
			case !cmd.HasParent() && len(args) > 0:
				err = fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			if err == nil {
				return nil
			}
			var ue *usageError
			if errors.As(err, &ue) {
				return err
			}
			return usagef("%w (see '%s --help')", err, cmd.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
