package reports

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromiumPath is Debian's chromium; STREAMCAP_CHROMIUM overrides it.
const chromiumPath = "/usr/bin/chromium"

// chromiumTimeout bounds each headless chromium run.
const chromiumTimeout = 60 * time.Second

// findChromium returns the browser binary, or skips the test with the
// reason when it is absent, unless STREAMCAP_REQUIRE_CHROMIUM=1 (CI), in
// which case the test fails.
func findChromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("STREAMCAP_CHROMIUM")
	if path == "" {
		path = chromiumPath
	}
	if _, err := os.Stat(path); err != nil {
		msg := "headless browser test needs Debian's chromium at " + path + " (apt-get install -y chromium): " + err.Error()
		if os.Getenv("STREAMCAP_REQUIRE_CHROMIUM") == "1" {
			t.Fatal(msg + " (STREAMCAP_REQUIRE_CHROMIUM=1)")
		}
		t.Skip(msg)
	}
	return path
}

// runChromium runs headless chromium on url with extra flags, in its own
// process group so the timeout kills it and every child it started.
// It returns stdout and stderr.
func runChromium(t *testing.T, bin, url string, extra ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
		"--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0",
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish within %v: %v\nstderr:\n%s", chromiumTimeout, err, errb.Bytes())
	}
	if err != nil {
		t.Fatalf("chromium: %v\nstderr:\n%s", err, errb.Bytes())
	}
	return out.Bytes(), errb.Bytes()
}

// consoleError matches what chromium logs for a page's console errors,
// uncaught exceptions and failed loads with --enable-logging=stderr.
// Any console message counts: the report logs nothing.
var consoleError = regexp.MustCompile(`(?i)CONSOLE[:(]\d+|Uncaught|net::ERR_|Failed to load resource|Refused to`)

// pageCheck is what loading a page in chromium showed.
type pageCheck struct {
	imagesOK bool     // the page's script saw every image decoded
	images   string   // how many images it counted ("" when it never ran)
	errors   []string // console errors and failed loads chromium logged
}

// loadPage loads url in headless chromium with --dump-dom and reads the
// page's own verdict on its images and chromium's log of console errors.
func loadPage(t *testing.T, bin, url string) pageCheck {
	t.Helper()
	dom, stderr := runChromium(t, bin, url, "--dump-dom", "--virtual-time-budget=5000")
	var pc pageCheck
	pc.imagesOK = bytes.Contains(dom, []byte(`data-images-ok="true"`))
	if m := regexp.MustCompile(`data-images="(\d+)"`).FindSubmatch(dom); m != nil {
		pc.images = string(m[1])
	}
	for _, line := range strings.Split(string(stderr), "\n") {
		if consoleError.MatchString(line) {
			pc.errors = append(pc.errors, line)
		}
	}
	return pc
}

// TestHTMLReportInBrowser opens the HTML report in headless chromium with
// no network: the page must load every inline image (the page's own
// script records it on <body>), log no console error, and screenshot to a
// non-blank PNG of the window size.
func TestHTMLReportInBrowser(t *testing.T) {
	t.Parallel()
	bin := findChromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteFile(page, fullReport(t)); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	pc := loadPage(t, bin, url)
	if !pc.imagesOK || pc.images != "11" {
		t.Errorf("page saw %q images, all decoded: %v; want 11 charts, all decoded", pc.images, pc.imagesOK)
	}
	for _, e := range pc.errors {
		t.Errorf("browser error: %s", e)
	}

	shot := filepath.Join(dir, "shot.png")
	runChromium(t, bin, url, "--window-size=1280,2000", "--screenshot="+shot)
	img := decodePNG(t, shot)
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %dx%d, want 1280x2000", b.Dx(), b.Dy())
	}
	if n := distinctColours(img, 64); n < 16 {
		t.Errorf("screenshot has %d distinct colours: looks blank", n)
	}
	// Print: with the @media print styles chromium must produce a PDF
	// holding the whole report (11 charts: far more than 50 kB).
	pdf := filepath.Join(dir, "report.pdf")
	runChromium(t, bin, url, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	if data, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(data, []byte("%PDF")) || len(data) < 50_000 {
		t.Errorf("print to PDF: %d bytes, err %v: want a PDF of the whole report", len(data), err)
	}
	if out := os.Getenv("STREAMCAP_SCREENSHOT"); out != "" {
		data, _ := os.ReadFile(shot)
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestBrowserCheckCatchesBrokenPage proves the checks above can fail: a
// report with one corrupted chart and a script error must be caught.
func TestBrowserCheckCatchesBrokenPage(t *testing.T) {
	t.Parallel()
	bin := findChromium(t)
	var buf bytes.Buffer
	if err := Render(&buf, FormatHTML, verifyReport(t), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(buf.String(), "base64,", "base64,!!not-an-image", 1)
	page = strings.Replace(page, "</body>", "<script>undefinedFunction()</script></body>", 1)
	path := filepath.Join(t.TempDir(), "broken.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	pc := loadPage(t, bin, "file://"+path)
	if pc.imagesOK || pc.images == "" {
		t.Errorf("corrupted chart: images ok = %v (%q images), want the page to report a failed image", pc.imagesOK, pc.images)
	}
	if !slices.ContainsFunc(pc.errors, func(l string) bool { return strings.Contains(l, "undefinedFunction") }) {
		t.Errorf("script error not caught; logged errors: %q", pc.errors)
	}
}

// TestHTMLReportOnPhone renders at a phone's width: the page must not be
// wider than the viewport (tables scroll in their own box).
func TestHTMLReportOnPhone(t *testing.T) {
	t.Parallel()
	bin := findChromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteFile(page, verifyReport(t)); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "phone.png")
	runChromium(t, bin, "file://"+page, "--window-size=390,1600", "--screenshot="+shot)
	img := decodePNG(t, shot)
	if b := img.Bounds(); b.Dx() != 390 {
		t.Errorf("phone screenshot is %d px wide, want 390", b.Dx())
	}
	if n := distinctColours(img, 64); n < 16 {
		t.Errorf("phone screenshot has %d distinct colours: looks blank", n)
	}
	if out := os.Getenv("STREAMCAP_SCREENSHOT_PHONE"); out != "" {
		data, _ := os.ReadFile(shot)
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Error(err)
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, errors.Unwrap(err))
	}
	return img
}

// distinctColours counts distinct colours on a sparse grid, stopping at
// limit: a blank page has one or two.
func distinctColours(img image.Image, limit int) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}
