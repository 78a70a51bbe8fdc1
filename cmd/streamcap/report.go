package main

import (
	"path/filepath"
	"strings"

	"github.com/streamcap/streamcap/bench/verify"
)

// reportTarget returns the report file -o names ("" for text or json on
// standard output).
func reportTarget(output string) (string, error) {
	switch output {
	case "text", "json", "":
		return "", nil
	}
	ext := strings.ToLower(filepath.Ext(output))
	if ext != ".html" && ext != ".htm" && ext != ".md" && ext != ".json" {
		return "", usagef("-o %q: must be text, json, or a report file ending in .html, .md or .json", output)
	}
	return output, nil
}

// writeVerifyReport renders the verify outcome as a report file.
func writeVerifyReport(path string, o *verify.Outcome) error {
	return nil // wired to reports below once reports lands
}
