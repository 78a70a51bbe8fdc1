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
			// Device (210 TB usable, 25 Gbps, efficiency 1): 1 device;
			// copy 80e12 × 8 / 25e9 = 25,600 s, ingest the same;
			// 2 × 5 days shipping + 51,200 s = 10.593 days → network faster.
			// Fee: 1 job × 500 (1 on-site day ≤ 15 included).
			// Crossover: 80e12 × 8 / (1 × 1 × 915,200 s) = 699.3 Mbps.
			name:    "80TB over 1Gbps at full utilisation",
			tr:      Transfer{Data: 80 * tb, Link: 1e9, Utilization: 1, Efficiency: 1},
			netDays: 640000.0 / 86400, devices: 1, devDays: (10*86400 + 51200) / 86400.0, usd: 500,
			faster: "network", crossover: 80e12 * 8 / (10*86400 + 51200),
		},
		{
			// Defaults 0.8 × 0.95: 640,000 / 0.76 = 842,105 s = 9.747 days.
			// Device: copy 25,600 / 0.95 = 26,947 s; 10 d + 53,895 s = 10.624 d.
			name:    "80TB over 1Gbps at default utilisation and efficiency",
			tr:      Transfer{Data: 80 * tb, Link: 1e9},
			netDays: 640000 / 0.76 / 86400, devices: 1, devDays: (10*86400 + 2*25600/0.95) / 86400, usd: 500,
			faster: "network", crossover: 80e12 * 8 / (0.76 * (10*86400 + 2*25600/0.95)),
		},
		{
			// 1 PB over 1 Gbps: 8e15 / 1e9 = 8e6 s = 92.6 days; 5 devices of
			// 200 TB: copy 200e12 × 8 / 25e9 = 64,000 s each (1 on-site day);
			// 10 d + 128,000 s = 11.48 days → devices; 5 × 500 = 2500 USD.
			name:    "1PB over 1Gbps ships faster",
			tr:      Transfer{Data: 1000 * tb, Link: 1e9, Utilization: 1, Efficiency: 1},
			netDays: 8e6 / 86400, devices: 5, devDays: (10*86400 + 128000) / 86400.0, usd: 2500,
			faster: "device", crossover: 8e15 / (10*86400 + 128000),
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
		{"unknown device", func(tr *Transfer) { tr.Device = "floppy" }, []string{"transfer.device", `"floppy"`, "one of snowball-edge-storage-210tb"}},
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
