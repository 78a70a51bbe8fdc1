package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// settleDefaults is the one rule for the defaults help shows, applied to
// every flag of the tree once it is built: each flag shows its real default
// once, or nothing when it has none.
//
//   - A flag whose usage already states its default in words ("(default:
//     the scenario's, else 60s)") shows only those words: the registered
//     value is a "not set" sentinel (0s, -1, "") that pflag would print a
//     second time.
//   - A flag holding a zero quantity (0B, 0/s, 0s, 0bps: model/units types
//     report IsZero) is "not set": no default is shown.
//
// pflag reads Flag.DefValue only to print help, so settling it changes
// nothing else.
func settleDefaults(root *cobra.Command) {
	visit := func(f *pflag.Flag) {
		if statesDefault(f.Usage) || isZeroQuantity(f.Value) {
			f.DefValue = zeroText(f.Value)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalNonPersistentFlags().VisitAll(visit)
		c.PersistentFlags().VisitAll(visit)
		c.Flags().VisitAll(visit)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// statesDefault reports whether a flag's usage text names its default.
func statesDefault(usage string) bool { return strings.Contains(usage, "(default") }

// isZeroQuantity reports whether v is a model/units quantity at zero.
func isZeroQuantity(v pflag.Value) bool {
	z, ok := v.(interface{ IsZero() bool })
	return ok && z.IsZero()
}

// zeroText is the DefValue pflag treats as "no default" for v's type, so
// help prints none.
func zeroText(v pflag.Value) string {
	switch t := v.Type(); {
	case t == "bool":
		return "false"
	case t == "string":
		return ""
	case strings.HasSuffix(t, "Slice"), strings.HasSuffix(t, "Array"):
		return "[]"
	default: // numbers, time.Duration and every custom Value
		return "0"
	}
}
