package main

import (
	"fmt"
	goio "io"

	"github.com/spf13/cobra"

	"github.com/streamcap/streamcap/model"
	"github.com/streamcap/streamcap/model/units"
	"github.com/streamcap/streamcap/reports"
	"github.com/streamcap/streamcap/scenarios"
)

// transferOptions is what `streamcap transfer` needs.
type transferOptions struct {
	scenario    string
	data        units.Bytes
	link        units.BitRate
	utilization float64
	efficiency  float64
	devices     int
	device      string
	deviceRate  units.ByteRate
	compare     bool
	sweep       string
	points      int
	pricesFile  string
	out         outputOptions
	format      string
	set         func(string) bool
}

func newTransferCmd(io *streams) *cobra.Command {
	o := &transferOptions{}
	cmd := &cobra.Command{
		Use:   "transfer [SCENARIO.yaml | BUNDLED-NAME] [flags]",
		Short: "Bulk transfer time and cost: network link vs shipped devices, with the crossover",
		Example: `  streamcap transfer --data 80TB --link 1Gbps
  streamcap transfer bulk-80tb --sweep 100Mbps..100Gbps -o json
  streamcap transfer --data 42TB --device snowball-50tb
  streamcap transfer bulk-80tb --compare`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			o.set = cmd.Flags().Changed
			format, err := o.out.resolve(cmd.Flags())
			if err != nil {
				return err
			}
			o.format = format
			return transferRun(io, o)
		},
	}
	fs := cmd.Flags()
	fs.Var(&o.data, "data", "data to move, e.g. 80TB")
	fs.Var(&o.link, "link", "link line rate, e.g. 10Gbps "+orScenario(model.DefaultTransferLink.String()))
	fs.Float64Var(&o.utilization, "utilization", 0, "share of the link the transfer may use, (0,1] "+orScenario(fmt.Sprint(model.DefaultTransferUtilization)))
	fs.Float64Var(&o.efficiency, "efficiency", 0, "protocol goodput ÷ line rate, (0,1] "+orScenario(fmt.Sprint(model.DefaultTransferEfficiency)))
	fs.IntVar(&o.devices, "devices", 0, "devices shipped in parallel (0 = as many as the data needs)")
	fs.StringVar(&o.device, "device", "", "device profile from the price table (see 'streamcap prices')")
	fs.Var(&o.deviceRate, "device-rate", "copy rate onto each device, e.g. 300MiB/s (default: the profile's realistic fill rate)")
	fs.BoolVar(&o.compare, "compare", false, "plan every device profile side by side")
	fs.StringVar(&o.sweep, "sweep", "", "also sweep link speeds LO..HI, e.g. 100Mbps..100Gbps")
	fs.IntVar(&o.points, "points", 13, "points in the sweep")
	fs.StringVar(&o.pricesFile, "prices", "", "price and quota table (YAML) replacing the embedded one")
	o.out.register(fs, "text", "markdown", "json")
	return cmd
}

func transferRun(io *streams, o *transferOptions) error {
	if o.compare {
		// --compare plans every device at one link; these choose one device or sweep the link.
		for _, f := range []string{"sweep", "points", "device"} {
			if o.set(f) {
				return usagef("--%s applies without --compare (--compare plans every device profile over one link; without it, --device picks one and --sweep varies the link)", f)
			}
		}
	}
	var t model.Transfer
	if o.scenario != "" {
		w, err := scenarios.Resolve(o.scenario, scenarios.Overrides{})
		if err != nil {
			return asUsage(err)
		}
		if w.Transfer != nil {
			t = *w.Transfer
		}
	}
	if o.set("data") {
		t.Data = o.data
	}
	if o.set("link") {
		t.Link = o.link
	}
	if t.Link == 0 {
		t.Link = model.DefaultTransferLink
	}
	if o.set("utilization") {
		if !(o.utilization > 0 && o.utilization <= 1) {
			// 0 would silently become the default utilization.
			return usagef("--utilization %v: must be more than 0 and at most 1 (share of the link the transfer may use)", o.utilization)
		}
		t.Utilization = o.utilization
	}
	if o.set("efficiency") {
		t.Efficiency = o.efficiency
	}
	if o.set("devices") {
		t.Devices = o.devices
	}
	if o.set("device") {
		t.Device = o.device
	}
	if o.set("device-rate") {
		t.DeviceRate = o.deviceRate
	}
	prices, err := loadPrices(o.pricesFile)
	if err != nil {
		return err
	}
	plan, err := model.PlanTransfer(t, prices)
	if err != nil {
		return asUsage(err)
	}
	if o.compare {
		devs, err := model.CompareTransfer(t, prices)
		if err != nil {
			return asUsage(err)
		}
		return o.out.emit(io, func(w goio.Writer) error {
			switch o.format {
			case "json":
				return reports.RenderTransferCompareJSON(w, &plan, devs)
			case "markdown":
				return reports.RenderTransferCompareMarkdown(w, &plan, devs)
			default:
				return reports.RenderTransferCompareText(w, &plan, devs)
			}
		})
	}
	var sweep []model.TransferPoint
	if o.sweep != "" {
		lo, hi, err := model.ParseLinkRange(o.sweep)
		if err != nil {
			return asUsage(err)
		}
		links, err := model.LogSpace(float64(lo), float64(hi), o.points)
		if err != nil {
			return asUsage(err)
		}
		if sweep, err = model.SweepTransfer(t, prices, links); err != nil {
			return asUsage(err)
		}
	}
	return o.out.emit(io, func(w goio.Writer) error {
		switch o.format {
		case "json":
			return reports.RenderTransferJSON(w, &plan, sweep)
		case "markdown":
			return reports.RenderTransferMarkdown(w, &plan, sweep)
		default:
			return reports.RenderTransferText(w, &plan, sweep)
		}
	})
}
