package main

import (
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/streamcap/streamcap/scenarios"
)

// scenarioArgs says which commands take scenarios (bundled names or files)
// as positional arguments, and how many (0 = any number).
var scenarioArgs = map[string]int{
	"streamcap plan": 1, "streamcap transfer": 1, "streamcap bench": 1, "streamcap verify": 1,
	"streamcap report": 0, "streamcap scenarios show": 1, "streamcap scenarios validate": 0,
}

// flagValues are the completions of flags whose values are not an
// "a | b | c" list in their usage (the rule choicesIn reads otherwise).
var flagValues = map[string][]string{
	"profile": {"ramp:", "steps:", "max", "max:"},
	"compare": {"all", "kafka", "pubsub", "firehose", "dynamodb", "lambda", "flink"},
}

// choiceList finds an "a | b | c" list of values in a flag's usage.
var choiceList = regexp.MustCompile(`[A-Za-z0-9][\w.:-]*(?:[ \t]*\|[ \t]*[A-Za-z0-9][\w.:-]*)+`)

// parenthetical is text in parentheses, which choicesIn skips.
var parenthetical = regexp.MustCompile(`\([^()]*\)`)

// choicesIn returns the values a flag's usage enumerates ("output format:
// text | markdown | json" → text, markdown, json), skipping parenthetical
// remarks ("always | interval (group commit) | never"). A placeholder after a
// colon is dropped ("zipf:S" → "zipf:") so the shell completes the kind
// and the user types the parameter. A usage with several lists
// ("embedded subscribe|polling, kinesis polling|efo") offers them all.
func choicesIn(usage string) []string {
	var out []string
	seen := map[string]bool{}
	usage = parenthetical.ReplaceAllString(usage, "")
	for _, list := range choiceList.FindAllString(usage, -1) {
		for _, v := range strings.Split(list, "|") {
			v = strings.TrimSpace(v)
			if i := strings.IndexByte(v, ':'); i >= 0 && strings.ToUpper(v[i+1:]) == v[i+1:] {
				v = v[:i+1]
			}
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// registerCompletions gives every command of the tree completions for
// scenario names in its positional arguments (scenarioArgs) and for
// enumerated flag values (flagValues, else the list in the flag's usage).
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if n, ok := scenarioArgs[c.CommandPath()]; ok && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if n > 0 && len(args) >= n {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return withPrefix(scenarios.Names(), prefix), cobra.ShellCompDirectiveDefault // a file path works too
			}
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			values, ok := flagValues[f.Name]
			if !ok {
				values = choicesIn(f.Usage)
			}
			if len(values) == 0 {
				return
			}
			if _, exists := c.GetFlagCompletionFunc(f.Name); exists {
				return
			}
			directive := cobra.ShellCompDirectiveNoFileComp
			for _, v := range values {
				if strings.HasSuffix(v, ":") { // the user types the parameter next
					directive |= cobra.ShellCompDirectiveNoSpace
				}
			}
			_ = c.RegisterFlagCompletionFunc(f.Name, func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return withPrefix(values, prefix), directive
			})
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// withPrefix keeps the values that start with prefix.
func withPrefix(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}
