package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// LogLinePrefix starts every line that carries a worker's result in its
// log, so results come back through `kubectl logs` with no shared volume.
const LogLinePrefix = "streamcap-result/v1"

// logChunk bounds the payload of one log line: container runtimes split
// longer lines (containerd at 16 KiB), so a result is cut into parts.
const logChunk = 8 << 10

// WriteLogLines writes res as gzip-compressed, base64-encoded JSON on
// marked lines of at most logChunk payload bytes each:
//
//	streamcap-result/v1 worker=I part=K/M PAYLOAD
//
// index is the worker's index (0 for a whole run).
func WriteLogLines(w io.Writer, res *Result, index int) error {
	var z bytes.Buffer
	gz := gzip.NewWriter(&z)
	if err := WriteJSON(gz, res); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(z.Bytes())
	parts := max(1, (len(enc)+logChunk-1)/logChunk)
	var b strings.Builder
	for k := range parts {
		chunk := enc[k*logChunk : min(len(enc), (k+1)*logChunk)]
		fmt.Fprintf(&b, "%s worker=%d part=%d/%d %s\n", LogLinePrefix, index, k+1, parts, chunk)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ReadLogLines finds the marked result lines in logs (any mix of workers'
// logs, other lines ignored, a line prefix such as kubectl's --prefix or
// a timestamp allowed) and returns each worker's result, by index. A
// worker whose parts are incomplete or corrupt is an error naming it.
func ReadLogLines(logs io.Reader) (map[int]*Result, error) {
	type parts struct {
		total int
		got   map[int]string
	}
	workers := map[int]*parts{}
	sc := bufio.NewScanner(logs)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		at := strings.Index(text, LogLinePrefix+" ")
		if at < 0 {
			continue
		}
		f := strings.Fields(text[at+len(LogLinePrefix):])
		var idx, k, m int
		ok := len(f) == 3
		if ok {
			_, e1 := fmt.Sscanf(f[0], "worker=%d", &idx)
			_, e2 := fmt.Sscanf(f[1], "part=%d/%d", &k, &m)
			ok = e1 == nil && e2 == nil && k >= 1 && k <= m && idx >= 0
		}
		if !ok {
			return nil, fmt.Errorf("log line %d: malformed result line (want %q)", line, LogLinePrefix+" worker=I part=K/M DATA")
		}
		p := workers[idx]
		if p == nil {
			p = &parts{total: m, got: map[int]string{}}
			workers[idx] = p
		}
		if p.total != m {
			return nil, fmt.Errorf("log line %d: worker %d: part %d of %d, earlier lines said %d parts (two runs in one log?)", line, idx, k, m, p.total)
		}
		if prev, dup := p.got[k]; dup && prev != f[2] {
			return nil, fmt.Errorf("log line %d: worker %d: part %d/%d twice with different data (two runs in one log?)", line, idx, k, m)
		}
		p.got[k] = f[2]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read logs: %w", err)
	}
	out := map[int]*Result{}
	idxs := make([]int, 0, len(workers))
	for i := range workers {
		idxs = append(idxs, i)
	}
	slices.Sort(idxs)
	for _, i := range idxs {
		p := workers[i]
		var enc strings.Builder
		for k := 1; k <= p.total; k++ {
			c, ok := p.got[k]
			if !ok {
				return nil, fmt.Errorf("worker %d: result part %d of %d missing from the logs", i, k, p.total)
			}
			enc.WriteString(c)
		}
		raw, err := base64.StdEncoding.DecodeString(enc.String())
		if err != nil {
			return nil, fmt.Errorf("worker %d: result: %w", i, err)
		}
		gz, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("worker %d: result: %w", i, err)
		}
		r, err := ReadJSON(gz)
		if err != nil {
			return nil, fmt.Errorf("worker %d: %w", i, err)
		}
		out[i] = r
	}
	return out, nil
}

// Workers returns the indexes of m in order, as text ("0, 1, 2").
func Workers(m map[int]*Result) string {
	idxs := make([]string, 0, len(m))
	keys := make([]int, 0, len(m))
	for i := range m {
		keys = append(keys, i)
	}
	slices.Sort(keys)
	for _, i := range keys {
		idxs = append(idxs, strconv.Itoa(i))
	}
	return strings.Join(idxs, ", ")
}
