package main

import (
	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/scenarios"
)

func newScenariosCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List, show and validate workload scenarios",
	}
	var normalized bool
	show := &cobra.Command{
		Use:   "show NAME|FILE",
		Short: "Print a bundled scenario's YAML (or, with --normalized, every value a plan uses)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if normalized {
				return asUsage(scenarios.ShowNormalized(io.Out, args[0]))
			}
			return asUsage(scenarios.Show(io.Out, args[0]))
		},
	}
	show.Flags().BoolVar(&normalized, "normalized", false, "print the scenario after defaults, in canonical form")
	var listOut outputOptions
	list := &cobra.Command{
		Use:   "list",
		Short: "List the bundled scenarios",
		Args:  maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := listOut.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			if format == "json" {
				return listOut.emit(io, scenarios.ListJSON)
			}
			return listOut.emit(io, scenarios.List)
		},
	}
	listOut.register(list.Flags(), "text", "json")
	cmd.AddCommand(
		list,
		show,
		&cobra.Command{
			Use:   "validate [FILE|NAME...]",
			Short: "Validate scenario files (every bundled scenario when none is named); exit 2 on any error",
			RunE: func(cmd *cobra.Command, args []string) error {
				return asUsage(scenarios.Validate(io.Out, args))
			},
		},
	)
	return cmd
}
