package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLongInputsTruncatedInErrors: a bad value is named by a short prefix
// (units.MaxQuoted characters) and its length, never echoed whole.
func TestLongInputsTruncatedInErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	passwd := filepath.Join(dir, "passwd")
	body := strings.Repeat("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", 40) // 1,960 bytes; YAML folds the lines into one 1,919-byte scalar
	if err := os.WriteFile(passwd, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 300)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"file that is not a scenario", []string{"plan", passwd}, `scenario "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin daemon:x:1:1:dae"… (1,919 bytes): must be a mapping`},
		{"unit flag", []string{"plan", "--rate", long}, `--rate: invalid event rate "` + long[:64] + `"… (300 bytes): no number`},
		{"int flag", []string{"plan", "--keys", long}, `--keys "` + long[:64] + `"… (300 bytes): not a valid int: invalid syntax`},
		{"key distribution", []string{"plan", "--rate", "1/s", "--record-size", "1KB", "--key-distribution", long}, `key distribution "` + long[:64] + `"… (300 bytes)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runCLI(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("error lacks %q:\n%s", c.want, errOut)
			}
			if strings.Contains(errOut, long[:65]) || strings.Contains(errOut, body[:200]) {
				t.Errorf("error echoes the long input:\n%s", errOut)
			}
		})
	}
}

// transfer --compare plans every device over one link: flags that pick one
// device or sweep the link are refused with it, not silently ignored.
func TestTransferCompareRefusesSweep(t *testing.T) {
	t.Parallel()
	for _, f := range [][]string{{"--sweep", "100Mbps..10Gbps"}, {"--points", "5"}, {"--device", "snowball-80tb"}} {
		code, out, errOut := runCLI(t, append([]string{"transfer", "bulk-80tb", "--compare"}, f...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, f[0]+" applies without --compare") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d naming %s", f, code, out, errOut, exitUsage, f[0])
		}
	}
}
