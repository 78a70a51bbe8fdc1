package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONCarriesSchema: every JSON document of plan, transfer, prices and
// scenarios list names its schema.
func TestJSONCarriesSchema(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args   []string
		schema string
	}{
		{[]string{"plan", "kds-3000x1kb", "-o", "json"}, "streamcap.plan/v1"},
		{[]string{"transfer", "--data", "80TB", "--link", "1Gbps", "-o", "json"}, "streamcap.transfer/v1"},
		{[]string{"prices", "-o", "json"}, "streamcap.prices/v1"},
		{[]string{"scenarios", "list", "-o", "json"}, "streamcap.scenarios/v1"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var doc struct {
				Schema string `json:"schema"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Schema != c.schema {
				t.Errorf("schema %q (%v), want %q", doc.Schema, err, c.schema)
			}
		})
	}
}

// TestScenariosListJSON: the five bundled scenarios with their rates.
func TestScenariosListJSON(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "scenarios", "list", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Scenarios []struct {
			Name          string  `json:"name"`
			Rate          string  `json:"rate"`
			RatePerSecond float64 `json:"rate_per_second"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range doc.Scenarios {
		got[s.Name] = s.RatePerSecond
	}
	want := map[string]float64{"bulk-80tb": 100, "cdc-replay": 5000, "clickstream": 20000, "iot-fleet": 50000, "kds-3000x1kb": 3000}
	for n, r := range want {
		if got[n] != r {
			t.Errorf("%s: rate %v/s, want %v/s", n, got[n], r)
		}
	}
}

// TestOutFile: -o is the format, --out FILE writes the document there (the
// format from -o, else from the extension) and nothing to stdout.
func TestOutFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name  string
		args  []string
		file  string
		start string // the file's first bytes
	}{
		{"json from extension", []string{"plan", "kds-3000x1kb"}, "plan.json", "{\n  \"schema\": \"streamcap.plan/v1\""},
		{"markdown from extension", []string{"plan", "kds-3000x1kb"}, "plan.md", "# Capacity plan: kds-3000x1kb\n"},
		{"text from extension", []string{"transfer", "--data", "80TB", "--link", "1Gbps"}, "t.txt", "TRANSFER: 80 TB over a 1 Gbps link"},
		{"-o wins over extension", []string{"transfer", "--data", "80TB", "--link", "1Gbps", "-o", "json"}, "t-json.txt", "{\n  \"schema\": \"streamcap.transfer/v1\""},
		{"prices yaml", []string{"prices"}, "prices.yaml", "# streamcap price & quota table."},
		{"scenarios list json", []string{"scenarios", "list"}, "list.json", "{\n  \"schema\": \"streamcap.scenarios/v1\""},
		{"-o takes the short name md", []string{"plan", "kds-3000x1kb", "-o", "md"}, "plan-md.txt", "# Capacity plan: kds-3000x1kb\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, c.file)
			code, out, errOut := runCLI(t, append(c.args, "--out", path)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout not empty with --out: %.80q", out)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), c.start) {
				t.Errorf("%s starts %.60q, want %q", c.file, data, c.start)
			}
		})
	}
}

// TestOutFileErrors: an extension naming no accepted format is exit 2, and
// a failing command leaves an existing --out file as it was.
func TestOutFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.json")
	if err := os.WriteFile(keep, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "plan", "kds-3000x1kb", "--out", filepath.Join(dir, "p.html"))
	if code != exitUsage || !strings.Contains(errOut, `cannot tell the format from ".html"; name it with -o (text | markdown | json) or use an extension .txt, .md, .json`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "plan", "kds-3000x1kb", "--headroom", "2", "--out", keep)
	if code != exitUsage {
		t.Errorf("bad plan: exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(keep); string(data) != "precious" {
		t.Errorf("failed plan overwrote %s with %.40q", keep, data)
	}
	// verify reads -o and --out as every command does (outputOptions),
	// before it runs anything; -o naming a file says to use --out.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--out", filepath.Join(dir, "v.pdf")}, `cannot tell the format from ".pdf"; name it with -o (text | json | markdown | html) or use an extension .txt, .md, .json, .html`},
		{[]string{"verify", "-o", "v.html"}, `-o "v.html": -o is a format (text, json, markdown, html); write a file with --out v.html`},
		{[]string{"plan", "-o", "plan.json"}, `-o "plan.json": -o is a format (text, markdown, json); write a file with --out plan.json`},
	} {
		if code, _, errOut := runCLI(t, c.args...); code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, ".*")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestPricesYAML: -o yaml prints YAML — the --prices file as written, or
// re-encoded when that file is JSON — and it loads back.
func TestPricesYAML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	yamlFile, jsonFile := filepath.Join(dir, "p.yaml"), filepath.Join(dir, "p.json")
	if code, _, errOut := runCLI(t, "prices", "-o", "yaml", "--out", yamlFile); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := runCLI(t, "prices", "-o", "json", "--out", jsonFile); code != 0 {
		t.Fatal(errOut)
	}
	shipped, _ := os.ReadFile(yamlFile)
	code, out, errOut := runCLI(t, "prices", "-o", "yaml", "--prices", yamlFile)
	if code != 0 || out != string(shipped) {
		t.Errorf("-o yaml --prices YAML: exit %d %s; not the file as written", code, errOut)
	}
	code, out, errOut = runCLI(t, "prices", "-o", "yaml", "--prices", jsonFile)
	if code != 0 || strings.HasPrefix(strings.TrimSpace(out), "{") || !strings.HasPrefix(out, "schema: streamcap.prices/v1\nregion: us-east-1\n") {
		t.Errorf("-o yaml --prices JSON: exit %d %s:\n%.200s", code, errOut, out)
	}
	back := filepath.Join(dir, "back.yaml")
	if err := os.WriteFile(back, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "prices", "--prices", back)
	if code != 0 || !strings.Contains(out, "kinesis.shard_hour_usd") || !strings.Contains(out, "1,073,741,824") {
		t.Errorf("re-encoded YAML does not load back: exit %d %s", code, errOut)
	}
}
