package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// version is the streamcap version printed by --version.
const version = "0.1.0"

// newRootCmd builds the command tree around the given streams.
func newRootCmd(io *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "streamcap",
		Short: "Size, price and benchmark streaming pipelines (Kinesis, Kafka, Pub/Sub, ...)",
		Long: `streamcap answers how big a streaming pipeline must be and what it will cost,
then proves the answer by measuring it against the bundled log engine or a real endpoint.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%w (see '%s --help')", err, c.CommandPath())
	})
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
	)
	return root
}

// run executes the CLI with args and returns the process exit code.
func run(args []string, io *streams) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.Execute()
	if err != nil {
		fmt.Fprintf(io.ErrOut, "streamcap: %v\n", err)
	}
	return exitCode(err)
}
