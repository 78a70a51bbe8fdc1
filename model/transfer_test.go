package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/model/units"
)

const tb = units.Bytes(1e12)

// TestTransferWorkedExamples: the bulk-80tb seed.
func TestTransferWorkedExamples(t *testing.T) {
	p := DefaultPrices()
	tests := []struct {
		name      string
		tr        Transfer
		netDays   float64
		devices   int
		devDays   float64
		usd       float64
		faster    string
		crossover float64
	}{
		{
			// Network: 80e12 B × 8 / (1e9 × 1 × 1) = 640,000 s = 7.407 days.
			// Device (210 TB usable, fill 800 MiB/s = 838,860,800 B/s, below
			// the 25 Gbps port): 1 device; copy 80e12 / 838,860,800 =
			// 95,367.4 s, ingest the same; 2 × 5 days shipping + 1 day
			// handling = 950,400 s; total 1,141,134.8 s = 13.21 days →
			// network faster. Fee: 1 job × 500 (2 on-site days ≤ 15).
			// Crossover: 80e12 × 8 / (1 × 1 × 1,141,134.8 s) = 560.8 Mbps.
			name:    "80TB over 1Gbps at full utilisation",
			tr:      Transfer{Data: 80 * tb, Link: 1e9, Utilization: 1, Efficiency: 1},
			netDays: 640000.0 / 86400, devices: 1, devDays: (11*86400 + 2*80e12/838860800) / 86400, usd: 500,
			faster: "network", crossover: 80e12 * 8 / (11*86400 + 2*80e12/838860800),
		},
		{
			// Defaults 0.8 × 0.95: 640,000 / 0.76 = 842,105 s = 9.747 days.
			// Device: the port (25e9 × 0.95 / 8 = 2.97 GB/s) is still not
			// binding, so the device leg is unchanged.
			name:    "80TB over 1Gbps at default utilisation and efficiency",
			tr:      Transfer{Data: 80 * tb, Link: 1e9},
			netDays: 640000 / 0.76 / 86400, devices: 1, devDays: (11*86400 + 2*80e12/838860800) / 86400, usd: 500,
			faster: "network", crossover: 80e12 * 8 / (0.76 * (11*86400 + 2*80e12/838860800)),
		},
		{
			// 1 PB over 1 Gbps: 8e15 / 1e9 = 8e6 s = 92.6 days; 5 devices of
			// 200 TB: copy 200e12 / 838,860,800 = 238,418.6 s each (3 on-site
			// days); 11 d + 476,837.2 s = 16.52 days → devices; 5 × 500 USD.
			name:    "1PB over 1Gbps ships faster",
			tr:      Transfer{Data: 1000 * tb, Link: 1e9, Utilization: 1, Efficiency: 1},
			netDays: 8e6 / 86400, devices: 5, devDays: (11*86400 + 2*200e12/838860800) / 86400, usd: 2500,
			faster: "device", crossover: 8e15 / (11*86400 + 2*200e12/838860800),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tp, err := PlanTransfer(tc.tr, p)
			if err != nil {
				t.Fatal(err)
			}
			if !near(tp.Network.Days, tc.netDays, 1e-12) || !near(tp.Network.Seconds, tc.netDays*86400, 1e-12) {
				t.Errorf("network %v days, want %v", tp.Network.Days, tc.netDays)
			}
			if tp.Device.Count != tc.devices || !near(tp.Device.Days, tc.devDays, 1e-12) || !near(tp.Device.USD, tc.usd, 1e-12) {
				t.Errorf("device %+v, want %d devices %v days %v USD", tp.Device, tc.devices, tc.devDays, tc.usd)
			}
			if tp.Faster != tc.faster || !near(tp.CrossoverBPS, tc.crossover, 1e-12) {
				t.Errorf("faster %s crossover %v, want %s %v", tp.Faster, tp.CrossoverBPS, tc.faster, tc.crossover)
			}
			// At the crossover link both legs take the same time.
			at := tc.tr
			at.Link = units.BitRate(tp.CrossoverBPS)
			x, err := PlanTransfer(at, p)
			if err != nil {
				t.Fatal(err)
			}
			if !near(x.Network.Seconds, x.Device.Seconds, 1e-9) {
				t.Errorf("at the crossover: network %v s, device %v s", x.Network.Seconds, x.Device.Seconds)
			}
			if !strings.Contains(strings.Join(tp.Warnings, ""), "no longer available to new customers") || !strings.Contains(strings.Join(tp.Warnings, ""), "DataSync") {
				t.Errorf("warnings should say Snowball is closed and name successors: %q", tp.Warnings)
			}
		})
	}
}

func TestTransferExtraDays(t *testing.T) {
	// 200 TB over one device at 1 Gbps interface would take 18.5 days
	// on site; use a table with a slow device to check extra-day fees:
	// copy 200e12 × 8 / 1e9 = 1.6e6 s = 18.52 → 19 days; 19 − 15 = 4 extra × 30.
	p := DefaultPrices()
	d := p.Devices[p.DefaultDevice]
	d.InterfaceBPS.Value = 1e9
	p.Devices["slow"] = d
	tp, err := PlanTransfer(Transfer{Data: 200 * tb, Link: 1e9, Efficiency: 1, Device: "slow"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if tp.Device.OnSiteDays != 19 || !near(tp.Device.USD, 500+4*30, 1e-12) {
		t.Errorf("device %+v", tp.Device)
	}
}

func TestTransferBadInputs(t *testing.T) {
	p := DefaultPrices()
	ok := Transfer{Data: 80 * tb, Link: 1e9}
	tests := []struct {
		name string
		mod  func(*Transfer)
		want []string
	}{
		{"no data", func(tr *Transfer) { tr.Data = 0 }, []string{"transfer.data", `"0B"`, "> 0B"}},
		{"no link", func(tr *Transfer) { tr.Link = 0 }, []string{"transfer.link", `"0bps"`, "> 0bps"}},
		{"utilization 1.2", func(tr *Transfer) { tr.Utilization = 1.2 }, []string{"transfer.utilization", `"1.2"`, "(0, 1]"}},
		{"efficiency -1", func(tr *Transfer) { tr.Efficiency = -1 }, []string{"transfer.efficiency", `"-1"`, "(0, 1]"}},
		{"unknown device", func(tr *Transfer) { tr.Device = "floppy" }, []string{"transfer.device", `"floppy"`, "one of aws-data-transfer-terminal, google-transfer-appliance-ta100, snowball-50tb, snowball-80tb, snowball-edge-storage-210tb"}},
		{"too few devices", func(tr *Transfer) { tr.Data = 500 * tb; tr.Devices = 2 }, []string{"transfer.devices", `"2"`, "at least 3"}},
		{"negative devices", func(tr *Transfer) { tr.Devices = -1 }, []string{"transfer.devices", `"-1"`, "between 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := ok
			tc.mod(&tr)
			_, err := PlanTransfer(tr, p)
			if !errors.Is(err, ErrPlanInput) {
				t.Fatalf("error %v, want ErrPlanInput", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestSweepTransfer(t *testing.T) {
	links, err := LogSpace(100e6, 100e9, 4) // 100M, 1G, 10G, 100G
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{1e8, 1e9, 1e10, 1e11} {
		if math.Abs(links[i]-want)/want > 1e-12 {
			t.Fatalf("LogSpace %v", links)
		}
	}
	pts, err := SweepTransfer(Transfer{Data: 80 * tb, Link: 1e9, Utilization: 1, Efficiency: 1}, DefaultPrices(), links)
	if err != nil {
		t.Fatal(err)
	}
	// 100 Mbps: 74.07 days → device; 1 Gbps and up → network.
	if pts[0].Faster != "device" || !near(pts[0].NetworkDays, 6.4e6/86400, 1e-12) || pts[1].Faster != "network" || pts[3].Faster != "network" {
		t.Errorf("sweep %+v", pts)
	}
	lo, hi, err := ParseLinkRange("100Mbps..100Gbps")
	if err != nil || lo != 100e6 || hi != 100e9 {
		t.Errorf("ParseLinkRange = %v %v %v", lo, hi, err)
	}
	for _, bad := range []string{"100Mbps", "1Gbps..100Mbps", "1GB..2GB", "..1Gbps"} {
		if _, _, err := ParseLinkRange(bad); !errors.Is(err, ErrPlanInput) {
			t.Errorf("ParseLinkRange(%q) = %v, want ErrPlanInput", bad, err)
		}
	}
	if _, err := LogSpace(0, 1, 10); err == nil {
		t.Error("LogSpace(0, 1): want an error")
	}
}

// FuzzParseLinkRange: either an ErrPlanInput or 0 < lo < hi.
func FuzzParseLinkRange(f *testing.F) {
	for _, s := range []string{"100Mbps..100Gbps", "1Gbps..1Gbps", "..", "1GB/s..2GB/s", "-1Gbps..1Gbps", "1e3bps..1e9bps"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, err := ParseLinkRange(s)
		if err != nil {
			if !errors.Is(err, ErrPlanInput) {
				t.Fatalf("error %v does not wrap ErrPlanInput", err)
			}
			return
		}
		if !(lo > 0 && hi > lo) {
			t.Fatalf("%q parsed to %v..%v", s, lo, hi)
		}
	})
}

// TestTransferSeedWeek: the course seed's "80TB over 1Gbps ≈ a week"
// (80000 GB / (1 Gbps / 8) / 86400 = 7.4 days at full line rate).
func TestTransferSeedWeek(t *testing.T) {
	tp, err := PlanTransfer(Transfer{Data: 80 * tb, Link: 1e9, Utilization: 1, Efficiency: 1}, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	if tp.Network.Days < 7 || tp.Network.Days > 7.5 || !near(tp.Network.Days, 80000.0/(1.0/8)/86400, 1e-12) {
		t.Errorf("network %v days, want ≈ a week (7.41)", tp.Network.Days)
	}
}

// TestSnowballGuideFillTable reproduces the Snowball guide's table "Rate
// (MB/s) | 42-TB | 72-TB transfer time" within 5 %, on the 50 TB (42 TB
// usable) and 80 TB (72 TB usable) profiles, at the profile's own rate
// (800) and with --device-rate for the slower rows. The guide's "MB/s"
// computes as MiB/s (42e12 / (100 × 2^20) = 4.64 d, printed 4.63).
func TestSnowballGuideFillTable(t *testing.T) {
	p := DefaultPrices()
	const h, d = 3600.0, 86400.0
	tests := []struct {
		device string
		data   units.Bytes
		mibps  float64 // 0 = the profile's fill rate
		want   float64 // s, as printed by the guide
	}{
		{"snowball-50tb", 42 * tb, 0, 14 * h},
		{"snowball-50tb", 42 * tb, 400, 1.16 * d},
		{"snowball-50tb", 42 * tb, 300, 1.54 * d},
		{"snowball-50tb", 42 * tb, 200, 2.31 * d},
		{"snowball-50tb", 42 * tb, 100, 4.63 * d},
		{"snowball-50tb", 42 * tb, 30, 15 * d},
		{"snowball-50tb", 42 * tb, 10, 46 * d},
		{"snowball-80tb", 72 * tb, 0, 1 * d},
		{"snowball-80tb", 72 * tb, 200, 4 * d},
		{"snowball-80tb", 72 * tb, 100, 8.10 * d},
		{"snowball-80tb", 72 * tb, 10, 81 * d},
	}
	for _, tc := range tests {
		tr := Transfer{Data: tc.data, Link: 1e9, Device: tc.device, DeviceRate: units.ByteRate(tc.mibps * (1 << 20))}
		tp, err := PlanTransfer(tr, p)
		if err != nil {
			t.Fatal(err)
		}
		if tp.Device.Count != 1 || math.Abs(tp.Device.CopySeconds/tc.want-1) > 0.05 {
			t.Errorf("%s %v at %v MiB/s: %d device(s), copy %.0f s, guide %.0f s (%+.1f %%)", tc.device, tc.data, tc.mibps,
				tp.Device.Count, tp.Device.CopySeconds, tc.want, 100*(tp.Device.CopySeconds/tc.want-1))
		}
	}
}

// TestTransferDevicesAndCompare: several devices in parallel, a site
// (no ingest leg), assumptions surfaced, and every profile compared.
func TestTransferDevicesAndCompare(t *testing.T) {
	p := DefaultPrices()
	// 144 TB on 80 TB Snowballs: ⌈144 / 72⌉ = 2 devices of 72 TB, each
	// filled in 72e12 / 838,860,800 = 85,830.7 s; 4 devices → 36 TB each.
	tp, err := PlanTransfer(Transfer{Data: 144 * tb, Link: 1e9, Device: "snowball-80tb"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if tp.Device.Count != 2 || !near(tp.Device.CopySeconds, 72e12/838860800, 1e-12) || tp.Device.USD != 600 {
		t.Errorf("2 × 80 TB: %+v", tp.Device)
	}
	tp4, err := PlanTransfer(Transfer{Data: 144 * tb, Link: 1e9, Device: "snowball-80tb", Devices: 4}, p)
	if err != nil {
		t.Fatal(err)
	}
	if tp4.Device.Count != 4 || !near(tp4.Device.CopySeconds, 36e12/838860800, 1e-12) || tp4.Device.USD != 1200 {
		t.Errorf("4 × 80 TB: %+v", tp4.Device)
	}
	// Data Transfer Terminal: 500 TB from your own 3 GB/s array = 166,666.7
	// s upload + 1 day travel; no shipping back, no ingest leg.
	dtt, err := PlanTransfer(Transfer{Data: 500 * tb, Link: 1e9, Device: "aws-data-transfer-terminal"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if dtt.Device.Kind != DeviceSite || dtt.Device.IngestSeconds != 0 || !near(dtt.Device.Seconds, 86400+500e12/3e9, 1e-12) {
		t.Errorf("terminal: %+v", dtt.Device)
	}
	if len(dtt.Device.Assumptions) == 0 || !strings.Contains(strings.Join(dtt.Device.Assumptions, "\n"), "fill_rate_bytes") {
		t.Errorf("terminal assumptions should name the unsourced fill rate: %q", dtt.Device.Assumptions)
	}
	// A given rate above the port is capped by the port: 10 Gbps × 0.95 / 8.
	fast, err := PlanTransfer(Transfer{Data: 42 * tb, Link: 1e9, Device: "snowball-50tb", DeviceRate: 5e9}, p)
	if err != nil {
		t.Fatal(err)
	}
	if !near(fast.Device.FillRate, 10e9*0.95/8, 1e-12) {
		t.Errorf("port cap: fill rate %v", fast.Device.FillRate)
	}
	all, err := CompareTransfer(Transfer{Data: 80 * tb, Link: 1e9, Devices: 1}, p)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, d := range all {
		counts[d.Device] = d.Count
	}
	want := map[string]int{"aws-data-transfer-terminal": 1, "google-transfer-appliance-ta100": 1, "snowball-50tb": 2, "snowball-80tb": 2, "snowball-edge-storage-210tb": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("compare %s: %d devices, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	if len(all) != len(p.Devices) {
		t.Errorf("compare returned %d profiles, want %d", len(all), len(p.Devices))
	}
	if _, err := PlanTransfer(Transfer{Data: 1 * tb, Link: 1e9, DeviceRate: -1}, p); err == nil || !strings.Contains(err.Error(), "transfer.device_rate") {
		t.Errorf("negative device rate: %v", err)
	}
}
