package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/model/version"
)

// newRootCmd builds the command tree around the given streams; prof owns
// its --cpuprofile, --memprofile and --trace flags.
func newRootCmd(io *streams, prof *profiling) *cobra.Command {
	root := &cobra.Command{
		Use:   "streamcap",
		Short: "Size, price and benchmark streaming pipelines (Kinesis, Kafka, Pub/Sub, ...)",
		Long: `streamcap answers how big a streaming pipeline must be and what it will cost,
then proves the answer by measuring it against the bundled log engine or a real endpoint.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("streamcap {{.Version}}\n")
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.AddCommand(
		newPlanCmd(io),
		newTransferCmd(io),
		newReshardCmd(io),
		newPricesCmd(io),
		newScenariosCmd(io),
		newBenchCmd(io),
		newEngineCmd(io),
		newVerifyCmd(io),
		newReportCmd(io),
		newVersionCmd(io),
	)
	prof.register(root)
	usageErrors(root) // exit codes come from error types (exit.go)
	settleDefaults(root)
	registerCompletions(root)
	return root
}

// flagValueError words a bad flag value: the flag, a short prefix of the
// value (units.Quote) and why, without the full value pflag and strconv
// echo.
func flagValueError(iv *pflag.InvalidValueError) error {
	name := "--" + iv.GetFlag().Name
	var pe *units.ParseError
	var ne *strconv.NumError
	switch cause := iv.Unwrap(); {
	case errors.As(cause, &pe): // names the value itself
		return fmt.Errorf("%s: %w", name, cause)
	case errors.As(cause, &ne):
		return fmt.Errorf("%s %s: not a valid %s: %w", name, units.Quote(iv.GetValue()), iv.GetFlag().Value.Type(), ne.Err)
	default:
		return fmt.Errorf("%s %s: %w", name, units.Quote(iv.GetValue()), cause)
	}
}

// newVersionCmd is `streamcap version`: the same line as --version, from
// version.String (the string bench results and plan JSON carry).
func newVersionCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print streamcap's version (module version, VCS revision, +dirty) from the build information",
		Args:  maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(io.Out, "streamcap %s\n", version.String())
			return err
		},
	}
}

// run executes the CLI with args and returns the process exit code.
func run(args []string, io *streams) int {
	var prof profiling
	root := newRootCmd(io, &prof)
	root.SetArgs(args)
	err := root.Execute()
	if perr := prof.stop(); err == nil {
		err = perr
	}
	if err != nil {
		fmt.Fprintf(io.ErrOut, "streamcap: %v\n", err)
	}
	return exitCode(err)
}
