package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestProfileFlags runs a command with every profiling flag and checks each file is what its
// tool reads: pprof's gzip-compressed profiles and the runtime's trace format.
func TestProfileFlags(t *testing.T) {
	dir := t.TempDir()
	cpu, mem, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof"), filepath.Join(dir, "run.trace")
	code, _, errOut := runCLI(t, "plan", "kds-3000x1kb", "-o", "json", "--cpuprofile", cpu, "--memprofile", mem, "--trace", tr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []struct {
		path   string
		prefix []byte
	}{
		{cpu, []byte{0x1f, 0x8b}}, // gzip
		{mem, []byte{0x1f, 0x8b}},
		{tr, []byte("go 1.")},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, f.prefix) {
			t.Errorf("%s starts with %q, want %q", filepath.Base(f.path), b[:min(len(b), 8)], f.prefix)
		}
	}
	code, _, errOut = runCLI(t, "plan", "kds-3000x1kb", "--memprofile", filepath.Join(dir, "missing", "mem.prof"))
	if code == 0 || !bytes.Contains([]byte(errOut), []byte("--memprofile")) {
		t.Errorf("unwritable --memprofile: exit %d, stderr %q; want an error naming the flag", code, errOut)
	}
}
