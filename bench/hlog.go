package bench

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/streamcap/streamcap/loadgen"
)

// Tags of the histograms in a result's interval log. The response time
// (the corrected figure) is untagged, so HdrHistogram tools that read only
// untagged histograms by default (HistogramLogProcessor) show it.
const (
	HlogTagResponse = ""
	HlogTagService  = "service"
	HlogTagSendLag  = "send-lag"
	HlogTagE2E      = "e2e"
)

// WriteHlog writes r as an HdrHistogram interval log (format 1.3, as the
// Java and Go HdrHistogram tools read it): a version comment, StartTime
// and BaseTime (the start of measurement), the legend, then for every
// timeline interval one line per histogram:
//
//	[Tag=TAG,]START,LENGTH,MAX,HISTOGRAM
//
// START and LENGTH are seconds relative to the base time, MAX is in
// milliseconds (values are nanoseconds; the usual 10⁶ ratio), HISTOGRAM the
// base64 V2 compressed histogram. End-to-end latency has no timeline; it
// is written once, tagged e2e, covering the whole window.
func WriteHlog(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	lw := hdr.NewHistogramLogWriter(bw)
	startMs := r.StartedAt.UnixMilli()
	lw.SetBaseTime(startMs)
	for _, f := range []func() error{
		lw.OutputLogFormatVersion,
		func() error { return lw.OutputStartTime(startMs) },
		func() error { return lw.OutputBaseTime(startMs) },
		func() error {
			return lw.OutputComment("[streamcap bench: " + r.Target + " " + r.Settings.Profile + "; values in ns]")
		},
		lw.OutputLegend,
	} {
		if err := f(); err != nil {
			return fmt.Errorf("write hlog: %w", err)
		}
	}
	out := func(tag, enc string, fromMs, lenMs int64) error {
		if enc == "" {
			return nil
		}
		h, err := loadgen.Decode(enc)
		if err != nil {
			return fmt.Errorf("write hlog: %w", err)
		}
		h.SetTag(tag)
		h.SetStartTimeMs(startMs + fromMs)
		h.SetEndTimeMs(startMs + fromMs + lenMs)
		if err := lw.OutputIntervalHistogram(h); err != nil {
			return fmt.Errorf("write hlog: %w", err)
		}
		return nil
	}
	for _, iv := range r.Timeline {
		from, length := iv.Start.Milliseconds(), iv.Length.Milliseconds()
		for _, x := range []struct{ tag, enc string }{
			{HlogTagResponse, iv.Response}, {HlogTagService, iv.Service}, {HlogTagSendLag, iv.SendLag},
		} {
			if err := out(x.tag, x.enc, from, length); err != nil {
				return err
			}
		}
	}
	if err := out(HlogTagE2E, r.E2E.Histogram, 0, r.ElapsedNS/1e6); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write hlog: %w", err)
	}
	return nil
}

// Hlog is an HdrHistogram interval log as ReadHlog parsed it.
type Hlog struct {
	// Version is the format version comment's value ("1.3").
	Version string
	// StartTime and BaseTime are seconds since the epoch (0 when absent).
	StartTime, BaseTime float64
	// Entries are the interval histograms in file order.
	Entries []HlogEntry
}

// HlogEntry is one interval histogram line.
type HlogEntry struct {
	Tag string
	// Start and Length are seconds (relative to the base time when one
	// is given); Max is the line's maximum (milliseconds by convention).
	Start, Length, Max float64
	Histogram          *hdr.Histogram
}

// maxHlogLine bounds one line of an interval log (a histogram with 3
// significant digits over 1 µs … 1 h encodes well under 100 KB).
const maxHlogLine = 1 << 20

// ReadHlog parses an HdrHistogram interval log: comment lines (#), the
// StartTime, BaseTime and version comments, the legend, and
// "[Tag=TAG,]START,LENGTH,MAX,HISTOGRAM" lines. Errors name the line.
func ReadHlog(rd io.Reader) (*Hlog, error) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), maxHlogLine)
	l := &Hlog{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		bad := func(why string, err error) (*Hlog, error) {
			if err != nil {
				return nil, fmt.Errorf("hlog line %d: %s: %w", n, why, err)
			}
			return nil, fmt.Errorf("hlog line %d: %s", n, why)
		}
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#[Histogram log format version "):
			l.Version = strings.TrimSuffix(strings.TrimPrefix(line, "#[Histogram log format version "), "]")
			continue
		case strings.HasPrefix(line, "#[StartTime: "), strings.HasPrefix(line, "#[BaseTime: "):
			key, rest, _ := strings.Cut(line[2:], ": ")
			num, _, _ := strings.Cut(rest, " ")
			v, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return bad(key+" must be seconds since the epoch", err)
			}
			if key == "StartTime" {
				l.StartTime = v
			} else {
				l.BaseTime = v
			}
			continue
		case line[0] == '#', strings.HasPrefix(line, `"StartTimestamp"`):
			continue
		}
		var e HlogEntry
		if strings.HasPrefix(line, "Tag=") {
			tag, rest, ok := strings.Cut(line[len("Tag="):], ",")
			if !ok {
				return bad("Tag= without the interval fields", nil)
			}
			e.Tag, line = tag, rest
		}
		f := strings.SplitN(line, ",", 4)
		if len(f) != 4 {
			return bad("want START,LENGTH,MAX,HISTOGRAM", nil)
		}
		var err error
		for i, dst := range []*float64{&e.Start, &e.Length, &e.Max} {
			if *dst, err = strconv.ParseFloat(f[i], 64); err != nil {
				return bad([]string{"start", "length", "max"}[i]+" must be a number", err)
			}
		}
		if e.Histogram, err = hdr.Decode([]byte(f[3])); err != nil {
			return bad("histogram", err)
		}
		l.Entries = append(l.Entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("hlog: %w", err)
	}
	return l, nil
}
