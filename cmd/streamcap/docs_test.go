package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/engine"
	"github.com/streamcap/streamcap/bench/search"
	"github.com/streamcap/streamcap/bench/verify"
	"github.com/streamcap/streamcap/reports"
	"github.com/streamcap/streamcap/scenarios"
)

// The examples in README.md and docs/*.md are tested, so they cannot go
// stale (the convention is described in README.md, "Examples are tested"):
//
//   - In a ```console block, a line "$ streamcap ARGS" is run in-process and
//     the lines up to the next "$ " line are its output (standard output,
//     then standard error), compared line by line (trailing spaces ignored).
//     A line "..." alone matches any number of lines. "$ echo $?" and the
//     line after it give the exit code of the command before; without it
//     the command must exit 0.
//   - "<!-- doctest: skip REASON -->" on the line before a block leaves it
//     unrun (a measurement whose figures vary, a command that needs a
//     server); a console block with a command that is not streamcap, or a
//     block of another kind with "$ streamcap" lines, must carry it.
//   - "<!-- doctest: scenario NAME -->" before a ```yaml block: the block
//     is the bundled scenario NAME, comments and blank lines aside.
//
// go test ./cmd/streamcap -run TestDocs -update-docs rewrites the expected
// output in the docs from the real output (keeping "..." elisions).
var updateDocs = flag.Bool("update-docs", false, "rewrite the expected output of the examples in README.md and docs/*.md")

// docFiles are the documents whose examples are tested, relative to the
// repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"README.md"}, files...)
}

// docBlock is one fenced block of a document.
type docBlock struct {
	start  int      // 0-based line of the opening fence
	info   string   // "console", "yaml", ""
	marker string   // the doctest marker on the line before ("skip …", "scenario NAME"), or ""
	lines  []string // the lines between the fences
}

// docBlocks splits a document into its fenced blocks.
func docBlocks(lines []string) []docBlock {
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		b := docBlock{start: i, info: strings.TrimSpace(strings.TrimPrefix(lines[i], "```"))}
		if i > 0 {
			if m, ok := strings.CutPrefix(strings.TrimSpace(lines[i-1]), "<!-- doctest:"); ok {
				b.marker = strings.TrimSpace(strings.TrimSuffix(m, "-->"))
			}
		}
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			b.lines = append(b.lines, lines[i])
		}
		out = append(out, b)
	}
	return out
}

// docCommand is one "$ streamcap …" example of a console block.
type docCommand struct {
	line       int // 0-based line of the command in the document
	args       []string
	want       []string
	wantFrom   int // 0-based document line of want[0]
	exit       int
	exitStated bool
}

// docCommands parses a console block; a command that is not streamcap is
// an error (the block needs a skip marker).
func docCommands(b docBlock) ([]docCommand, error) {
	var out []docCommand
	for i := 0; i < len(b.lines); i++ {
		l := b.lines[i]
		at := b.start + 1 + i
		switch {
		case l == "$ echo $?":
			if len(out) == 0 || i+1 >= len(b.lines) {
				return nil, fmt.Errorf("line %d: $ echo $? without a command before or a code after", at+1)
			}
			code, err := strconv.Atoi(strings.TrimSpace(b.lines[i+1]))
			if err != nil {
				return nil, fmt.Errorf("line %d: exit code: %w", at+2, err)
			}
			out[len(out)-1].exit, out[len(out)-1].exitStated = code, true
			i++
		case strings.HasPrefix(l, "$ streamcap"):
			args, err := shellWords(strings.TrimPrefix(l, "$ streamcap"))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", at+1, err)
			}
			out = append(out, docCommand{line: at, args: args, wantFrom: at + 1})
		case strings.HasPrefix(l, "$ "):
			return nil, fmt.Errorf("line %d: %q is not a streamcap command: mark the block <!-- doctest: skip REASON -->", at+1, l)
		case len(out) == 0:
			return nil, fmt.Errorf("line %d: output before any command", at+1)
		default:
			c := &out[len(out)-1]
			if c.exitStated {
				return nil, fmt.Errorf("line %d: output after $ echo $?", at+1)
			}
			c.want = append(c.want, l)
		}
	}
	return out, nil
}

// shellWords splits a command line as a POSIX shell would for the simple
// words examples use: spaces separate, single and double quotes group.
// Redirections and pipes are refused (the test compares standard output).
func shellWords(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unbalanced %c in %q", c, s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.IndexByte("|<>;&$`", c) >= 0:
			return nil, fmt.Errorf("shell syntax %q in %q: examples run streamcap alone", c, s)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

// matchLines compares got with want, where a want line "..." matches any
// number of got lines; trailing spaces are ignored.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for k := 0; k <= len(got); k++ {
			if matchLines(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && strings.TrimRight(want[0], " \t") == strings.TrimRight(got[0], " \t") && matchLines(want[1:], got[1:])
}

// elide rewrites want from got keeping the one "..." of want (with as many
// lines before and after it as want has); without "..." it is got.
func elide(want, got []string) []string {
	at := -1
	for i, w := range want {
		if strings.TrimSpace(w) == "..." {
			if at >= 0 {
				return want // several elisions: left for a person to redo
			}
			at = i
		}
	}
	if at < 0 {
		return got
	}
	head, tail := at, len(want)-at-1
	if head+tail > len(got) {
		return got
	}
	out := append([]string{}, got[:head]...)
	out = append(out, want[at])
	return append(out, got[len(got)-tail:]...)
}

// outputLines splits a command's output into lines (no trailing empty line).
func outputLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// stripComments drops YAML comments and blank lines, for comparing an
// annotated excerpt with the file it shows.
func stripComments(lines []string) []string {
	var out []string
	for _, l := range lines {
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			l = ""
		}
		if l = strings.TrimRight(l, " \t"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestDocs runs the examples of README.md and docs/*.md against the CLI
// and checks the scenario YAML they show against the bundled files.
func TestDocs(t *testing.T) {
	t.Chdir("../..") // examples name files from the repository root
	ran := 0
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		name := filepath.Base(file)
		type edit struct {
			from, to int // document lines [from, to) replaced
			with     []string
		}
		var edits []edit
		for _, b := range docBlocks(lines) {
			where := fmt.Sprintf("%s:%d", name, b.start+1)
			hasCommand := false
			for _, l := range b.lines {
				hasCommand = hasCommand || strings.HasPrefix(l, "$ streamcap")
			}
			switch {
			case strings.HasPrefix(b.marker, "skip"):
				if strings.TrimSpace(strings.TrimPrefix(b.marker, "skip")) == "" {
					t.Errorf("%s: doctest skip without a reason", where)
				}
			case strings.HasPrefix(b.marker, "scenario "):
				want := strings.TrimSpace(strings.TrimPrefix(b.marker, "scenario "))
				src, err := scenarios.Source(want)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
				doc, shipped := stripComments(b.lines), stripComments(strings.Split(string(src), "\n"))
				if strings.Join(doc, "\n") != strings.Join(shipped, "\n") {
					t.Errorf("%s: the YAML shown is not the bundled %s (comments aside):\n--- shown\n%s\n--- shipped\n%s",
						where, want, strings.Join(doc, "\n"), strings.Join(shipped, "\n"))
				}
				ran++
			case b.marker != "":
				t.Errorf("%s: unknown doctest marker %q (skip REASON | scenario NAME)", where, b.marker)
			case b.info == "console":
				cmds, err := docCommands(b)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				for _, c := range cmds {
					ran++
					io, out, errOut := testStreams()
					code := run(c.args, io)
					got := outputLines(out.String() + errOut.String())
					at := fmt.Sprintf("%s:%d: streamcap %s", name, c.line+1, strings.Join(c.args, " "))
					if code != c.exit {
						t.Errorf("%s: exit %d, the doc says %d\n%s", at, code, c.exit, errOut.String())
					}
					if matchLines(c.want, got) {
						continue
					}
					if *updateDocs {
						edits = append(edits, edit{c.wantFrom, c.wantFrom + len(c.want), elide(c.want, got)})
						continue
					}
					t.Errorf("%s: output differs from the doc (go test ./cmd/streamcap -run TestDocs -update-docs to accept):\n--- doc\n%s\n--- got\n%s",
						at, strings.Join(c.want, "\n"), strings.Join(got, "\n"))
				}
			case hasCommand:
				t.Errorf("%s: a ```%s block with $ streamcap lines: make it ```console or mark it <!-- doctest: skip REASON -->", where, b.info)
			}
		}
		if len(edits) > 0 {
			for i := len(edits) - 1; i >= 0; i-- {
				e := edits[i]
				lines = append(lines[:e.from], append(append([]string{}, e.with...), lines[e.to:]...)...)
			}
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: rewrote %d examples", name, len(edits))
		}
	}
	if ran < 10 {
		t.Errorf("only %d examples checked", ran)
	}
}

// TestReadmeListsEverySchema checks that the README's table of JSON
// documents names every schema streamcap writes, each in a table row
// ("| `streamcap.plan/v1` | ..."), so a new document cannot go unlisted.
func TestReadmeListsEverySchema(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, schema := range []string{
		reports.SchemaPlan, reports.SchemaTransfer, reports.SchemaPrices, scenarios.ListSchema,
		bench.SchemaVersion, verify.Schema, reports.SchemaVerify, search.SchemaVersion, engine.RepairSchema,
	} {
		if !strings.Contains(string(data), "| `"+schema+"` |") {
			t.Errorf("README.md: no row | `%s` | in the table of JSON documents", schema)
		}
	}
}

// TestReadmeLinksEveryDoc checks that every page under docs/ is linked
// from the README, so a newcomer can find it.
func TestReadmeLinksEveryDoc(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("docs/*.md: %v (%d pages)", err, len(pages))
	}
	for _, page := range pages {
		link := "(docs/" + filepath.Base(page) + ")"
		if !strings.Contains(string(data), link) {
			t.Errorf("README.md: no link %s", link)
		}
	}
}

// TestDocHelpers pins the matching rules the doc test relies on.
func TestDocHelpers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a|b", "a|b", true},
		{"a|b  ", "a|b", true},
		{"a|...|d", "a|b|c|d", true},
		{"a|...|d", "a|d", true},
		{"a|...", "a", true},
		{"a|...|d", "a|b|c", false},
		{"a|b", "a|b|c", false},
		{"a|c", "a|b", false},
	} {
		if got := matchLines(strings.Split(c.want, "|"), strings.Split(c.got, "|")); got != c.ok {
			t.Errorf("matchLines(%q, %q) = %v", c.want, c.got, got)
		}
	}
	if got := strings.Join(elide(strings.Split("h|...|t", "|"), strings.Split("h1|x|y|t1", "|")), "|"); got != "h1|...|t1" {
		t.Errorf("elide = %q", got)
	}
	words, err := shellWords(` plan --rate 3000/s "a b" 'c'`)
	if err != nil || strings.Join(words, ",") != "plan,--rate,3000/s,a b,c" {
		t.Errorf("shellWords = %q, %v", words, err)
	}
	if _, err := shellWords(" scenarios show x > my.yaml"); err == nil {
		t.Error("shellWords accepted a redirection")
	}
}
