package model

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/floats"

	"github.com/streamcap/streamcap/model/units"
)

// NetworkLeg is a transfer over a network link.
type NetworkLeg struct {
	// GoodputBPS = link × utilisation × efficiency, bit/s.
	GoodputBPS float64 `json:"goodput_bps"`
	Seconds    float64 `json:"seconds"`
	Days       float64 `json:"days"`
}

// DeviceLeg is a transfer on shipped storage devices (or, for a site
// such as AWS Data Transfer Terminal, your own storage carried there).
type DeviceLeg struct {
	// Device is the profile name; Title the product; Kind "shipped" or "site".
	Device string `json:"device"`
	Title  string `json:"title"`
	Kind   string `json:"kind"`
	// Count devices (or site visits) work in parallel, each holding PerDeviceBytes.
	Count          int     `json:"count"`
	PerDeviceBytes float64 `json:"per_device_bytes"`
	// FillRate is the copy rate onto one device, B/s: min(the profile's
	// realistic fill rate or the given device rate, interface × efficiency).
	FillRate float64 `json:"fill_rate_bytes_per_second"`
	// CopySeconds is the time to fill one device; the provider ingests at
	// the same rate (IngestSeconds, 0 for a site: the upload is the ingest).
	CopySeconds   float64 `json:"copy_seconds"`
	IngestSeconds float64 `json:"ingest_seconds"`
	// ShippingDays each way; HandlingDays at the provider before ingest.
	ShippingDays float64 `json:"shipping_days"`
	HandlingDays float64 `json:"handling_days"`
	// Seconds and Days end to end: ship out + copy + ship back + handling
	// + ingest (a site: travel + upload).
	Seconds float64 `json:"seconds"`
	Days    float64 `json:"days"`
	// OnSiteDays are billed days at the source (shipping is not billed).
	OnSiteDays float64    `json:"on_site_days"`
	USD        float64    `json:"usd"`
	LineItems  []LineItem `json:"line_items"`
	// Status and Successors repeat the profile's availability note.
	Status     string   `json:"status,omitempty"`
	Successors []string `json:"successors,omitempty"`
	// Assumptions lists the profile figures used that are not sourced.
	Assumptions []string `json:"assumptions,omitempty"`
}

// TransferPlan compares moving Data over a link with shipping devices.
type TransferPlan struct {
	DataBytes   float64 `json:"data_bytes"`
	LinkBPS     float64 `json:"link_bps"`
	Utilization float64 `json:"utilization"`
	Efficiency  float64 `json:"efficiency"`

	Network NetworkLeg `json:"network"`
	Device  DeviceLeg  `json:"device"`
	// Faster is "network" or "device".
	Faster string `json:"faster"`
	// CrossoverBPS is the link line rate at which both take the same time
	// (at the same utilisation and efficiency); faster links favour the network.
	CrossoverBPS float64     `json:"crossover_bps"`
	Warnings     []string    `json:"warnings,omitempty"`
	Explanation  Explanation `json:"explanation"`
}

const secondsPerDay = 86400

// PlanTransfer compares a bulk transfer over t.Link with shipped devices:
// network seconds = bytes × 8 / (link × utilisation × efficiency); devices
// = ⌈data / usable capacity⌉ (or t.Devices), each filled in parallel at
// min(fill rate, interface × efficiency) (the fill rate is the profile's
// realistic sourced rate or t.DeviceRate), shipped each way, handled and
// ingested at the same rate; fees = job fee + extra days beyond the
// included ones. Zero Utilization and Efficiency default to 0.8 and 0.95.
func PlanTransfer(t Transfer, p *Prices) (TransferPlan, error) {
	if p == nil {
		return TransferPlan{}, fmt.Errorf("%w: prices: nil table", ErrPlanInput)
	}
	t = planTransferDefaults(t)
	if err := planCheckTransfer(t, p); err != nil {
		return TransferPlan{}, err
	}
	name := t.Device
	if name == "" {
		name = p.DefaultDevice
	}
	var x explainer
	data := float64(t.Data)
	link := t.Link.BitsPerSecond()
	tp := TransferPlan{DataBytes: data, LinkBPS: link, Utilization: t.Utilization, Efficiency: t.Efficiency}
	x.in("data", "%s", t.Data)
	x.in("link", "%s at utilisation %s, efficiency %s", t.Link, num(t.Utilization), num(t.Efficiency))

	good := link * t.Utilization * t.Efficiency
	tp.Network.GoodputBPS = good
	tp.Network.Seconds = x.step("network seconds", "data × 8 / (link × utilisation × efficiency)", data*8/good, "s",
		"%v × 8 / (%v × %v × %v)", data, link, t.Utilization, t.Efficiency)
	tp.Network.Days = tp.Network.Seconds / secondsPerDay

	tp.Device = planDevice(t, p, name, &x)
	d := &tp.Device
	tp.Faster = "network"
	if d.Seconds < tp.Network.Seconds {
		tp.Faster = "device"
	}
	tp.CrossoverBPS = x.step("crossover link", "data × 8 / (utilisation × efficiency × device seconds)", data*8/(t.Utilization*t.Efficiency*d.Seconds), "bit/s",
		"%v × 8 / (%v × %v × %v)", data, t.Utilization, t.Efficiency, d.Seconds)
	if d.Status != "" {
		w := d.Status
		if len(d.Successors) > 0 {
			w += " Successors: " + strings.Join(d.Successors, "; ") + "."
		}
		tp.Warnings = append(tp.Warnings, w)
	}
	tp.Explanation = x.e
	return tp, nil
}

// planDevice plans the device leg of t on the named profile (t is
// defaulted and checked).
func planDevice(t Transfer, p *Prices, name string, x *explainer) DeviceLeg {
	dev := p.Devices[name]
	kind := dev.Kind
	if kind == "" {
		kind = DeviceShipped
	}
	data := float64(t.Data)
	x.in("device", "%s (%s usable, fill rate %s, %s interface)", dev.Name, units.Bytes(dev.UsableBytes.Value), units.ByteRate(dev.FillRateBytes.Value), units.BitRate(dev.InterfaceBPS.Value))
	capB := dev.UsableBytes.Value
	count := t.Devices
	if count == 0 {
		count = int(math.Ceil(data / capB))
		x.step("devices", "⌈data / usable capacity⌉", float64(count), "devices", "⌈%v / %v⌉", data, capB)
	} else {
		x.step("devices", "given", float64(count), "devices", "%v", float64(count))
	}
	per := data / float64(count)
	fill := dev.FillRateBytes.Value
	src := "profile fill rate"
	if t.DeviceRate > 0 {
		fill, src = float64(t.DeviceRate), "given device rate"
	}
	port := dev.InterfaceBPS.Value * t.Efficiency / 8
	rate := x.step("fill rate", "min("+src+", interface × efficiency / 8)", min(fill, port), "B/s",
		"min(%v, %v × %v / 8)", fill, dev.InterfaceBPS.Value, t.Efficiency)
	d := DeviceLeg{Device: name, Title: dev.Name, Kind: kind, Count: count, PerDeviceBytes: per, FillRate: rate,
		Status: dev.Status, Successors: dev.Successors}
	d.CopySeconds = x.step("copy seconds (devices in parallel)", "data per device / fill rate", per/rate, "s", "%v / %v", per, rate)
	d.ShippingDays = dev.ShippingDays.Value
	d.HandlingDays = dev.HandlingDays.Value
	if kind == DeviceSite {
		d.Seconds = x.step("site seconds", "travel + upload (the upload is the ingest)", d.ShippingDays*secondsPerDay+d.CopySeconds, "s",
			"%v d + %v s", d.ShippingDays, d.CopySeconds)
	} else {
		d.IngestSeconds = d.CopySeconds
		d.Seconds = x.step("device seconds", "2 × shipping + copy + handling + ingest", (2*d.ShippingDays+d.HandlingDays)*secondsPerDay+d.CopySeconds+d.IngestSeconds, "s",
			"2 × %v d + %v s + %v d + %v s", d.ShippingDays, d.CopySeconds, d.HandlingDays, d.IngestSeconds)
	}
	d.Days = d.Seconds / secondsPerDay
	d.OnSiteDays = math.Ceil(d.CopySeconds/secondsPerDay - 1e-9)
	extra := max(0, d.OnSiteDays-dev.IncludedDays.Value)
	n := float64(count)
	unit := "job"
	if kind == DeviceSite {
		unit = "visit"
	}
	d.LineItems = []LineItem{newItem("device jobs", n, unit, dev.JobFeeUSD.Value)}
	if extra > 0 {
		d.LineItems = append(d.LineItems, newItem("extra on-site days", n*extra, "device-day", dev.ExtraDayUSD.Value))
	}
	d.USD = total(d.LineItems)
	pre := "devices." + name + "."
	used := []NamedFigure{{pre + "usable_bytes", dev.UsableBytes}, {pre + "interface_bps", dev.InterfaceBPS},
		{pre + "shipping_days", dev.ShippingDays}, {pre + "handling_days", dev.HandlingDays}, {pre + "job_fee_usd", dev.JobFeeUSD},
		{pre + "included_days", dev.IncludedDays}}
	if t.DeviceRate == 0 {
		used = append(used, NamedFigure{pre + "fill_rate_bytes", dev.FillRateBytes})
	}
	if extra > 0 {
		used = append(used, NamedFigure{pre + "extra_day_usd", dev.ExtraDayUSD})
	}
	d.Assumptions = assumptions(used...)
	return d
}

// CompareTransfer plans t on every device profile of the table (t.Device
// is ignored; t.Devices and t.DeviceRate apply to each), in name order,
// so `transfer --compare` can set them side by side. A given device count
// too small for a profile's capacity is raised to what the data needs.
func CompareTransfer(t Transfer, p *Prices) ([]DeviceLeg, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: prices: nil table", ErrPlanInput)
	}
	t = planTransferDefaults(t)
	t.Device = ""
	chk := t
	chk.Devices = min(t.Devices, 0) // counts are raised per profile below
	if err := planCheckTransfer(chk, p); err != nil {
		return nil, err
	}
	if t.Devices < 0 || t.Devices > 10000 {
		return nil, planInputErr("transfer.devices", t.Devices, "between 0 (as many as the data needs) and 10000")
	}
	var out []DeviceLeg
	for _, n := range p.DeviceNames() {
		tn := t
		if need := int(math.Ceil(float64(t.Data) / p.Devices[n].UsableBytes.Value)); tn.Devices > 0 && tn.Devices < need {
			tn.Devices = need
		}
		x := explainer{off: true}
		out = append(out, planDevice(tn, p, n, &x))
	}
	return out, nil
}

func planCheckTransfer(t Transfer, p *Prices) error {
	if t.Data <= 0 {
		return planInputErr("transfer.data", t.Data, "> 0B")
	}
	if !(t.Link > 0) || math.IsInf(float64(t.Link), 0) {
		return planInputErr("transfer.link", t.Link, "> 0bps")
	}
	if !(t.Utilization > 0 && t.Utilization <= 1) {
		return planInputErr("transfer.utilization", t.Utilization, "in (0, 1]")
	}
	if !(t.Efficiency > 0 && t.Efficiency <= 1) {
		return planInputErr("transfer.efficiency", t.Efficiency, "in (0, 1] (1 = no protocol overhead)")
	}
	name := t.Device
	if name == "" {
		name = p.DefaultDevice
	}
	dev, ok := p.Devices[name]
	if !ok {
		return planInputErr("transfer.device", t.Device, "one of %s", strings.Join(p.DeviceNames(), ", "))
	}
	if t.Devices < 0 || t.Devices > 10000 {
		return planInputErr("transfer.devices", t.Devices, "between 0 (as many as the data needs) and 10000")
	}
	if r := float64(t.DeviceRate); r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return planInputErr("transfer.device_rate", t.DeviceRate, "> 0B/s (0 = the profile's fill rate)")
	}
	if t.Devices > 0 {
		if need := int(math.Ceil(float64(t.Data) / dev.UsableBytes.Value)); t.Devices < need {
			return planInputErr("transfer.devices", t.Devices, "at least %d: %s does not fit on %d × %s usable", need, t.Data, t.Devices, units.Bytes(dev.UsableBytes.Value))
		}
	}
	return nil
}

// NetworkDaysAt is the network leg's time in days had the link run at
// linkBPS bit/s: data × 8 / (link × utilisation × efficiency).
func (t TransferPlan) NetworkDaysAt(linkBPS float64) float64 {
	return t.DataBytes * 8 / (linkBPS * t.Utilization * t.Efficiency) / secondsPerDay
}

// TransferPoint is one point of a link-speed sweep.
type TransferPoint struct {
	LinkBPS     float64 `json:"link_bps"`
	NetworkDays float64 `json:"network_days"`
	DeviceDays  float64 `json:"device_days"`
	Faster      string  `json:"faster"`
}

// SweepTransfer plans t at each link rate (bit/s). The device leg does not
// depend on the link, so it is computed once.
func SweepTransfer(t Transfer, p *Prices, links []float64) ([]TransferPoint, error) {
	base, err := PlanTransfer(t, p)
	if err != nil {
		return nil, err
	}
	out := make([]TransferPoint, len(links))
	for i, l := range links {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, planInputErr(fmt.Sprintf("links[%d]", i), l, "> 0bps")
		}
		nd := base.NetworkDaysAt(l)
		f := "network"
		if base.Device.Days < nd {
			f = "device"
		}
		out[i] = TransferPoint{LinkBPS: l, NetworkDays: nd, DeviceDays: base.Device.Days, Faster: f}
	}
	return out, nil
}

// LogSpace returns n points spaced evenly on a log scale from lo to hi
// inclusive (n ≥ 2, 0 < lo < hi): the x axis of a sweep.
func LogSpace(lo, hi float64, n int) ([]float64, error) {
	if !(lo > 0 && hi > lo) || math.IsInf(hi, 0) {
		return nil, planInputErr("sweep", fmt.Sprintf("%s..%s", num(lo), num(hi)), "lo..hi with 0 < lo < hi")
	}
	if n < 2 || n > 1_000_000 {
		return nil, planInputErr("sweep points", n, "between 2 and 1000000")
	}
	return floats.LogSpan(make([]float64, n), lo, hi), nil
}

// ParseLinkRange parses a sweep range of bit rates "100Mbps..100Gbps".
func ParseLinkRange(s string) (lo, hi units.BitRate, err error) {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return 0, 0, planInputErr("sweep", s, "LO..HI bit rates, e.g. 100Mbps..100Gbps")
	}
	if lo, err = units.ParseBitRate(strings.TrimSpace(a)); err != nil {
		return 0, 0, fmt.Errorf("%w: sweep: %w", ErrPlanInput, err)
	}
	if hi, err = units.ParseBitRate(strings.TrimSpace(b)); err != nil {
		return 0, 0, fmt.Errorf("%w: sweep: %w", ErrPlanInput, err)
	}
	if !(lo > 0 && hi > lo) {
		return 0, 0, planInputErr("sweep", s, "LO..HI with 0 < LO < HI")
	}
	return lo, hi, nil
}
