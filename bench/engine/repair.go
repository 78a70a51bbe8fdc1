package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// RepairSchema names the JSON form of a RepairReport.
const RepairSchema = "streamcap.engine.repair/v1"

// RepairOptions configures Repair.
type RepairOptions struct {
	// Dir is the engine's data directory (the --data-dir of engine serve).
	Dir string
	// DryRun reports what would be done and changes nothing.
	DryRun bool
	// Clock names the quarantine folder; nil means the real clock.
	Clock Clock
}

// RepairReport is what Repair found, what it moved where, and what was lost.
type RepairReport struct {
	Schema     string       `json:"schema"`
	Dir        string       `json:"data_dir"`
	DryRun     bool         `json:"dry_run"`
	Quarantine string       `json:"quarantine,omitempty"` // folder holding the moved files and the reports
	Items      []RepairItem `json:"repaired"`
	Unrepaired []Damage     `json:"unrepaired"` // damage Repair cannot fix; the engine still refuses to open
	// RecordsLost sums the records of the items whose loss is countable; RecordsUncounted is the
	// number of items whose loss is not.
	RecordsLost      int64 `json:"records_lost"`
	RecordsUncounted int   `json:"items_with_uncounted_loss"`
	BytesMoved       int64 `json:"bytes_moved"`
}

// RepairItem is one repaired problem.
type RepairItem struct {
	Damage Damage `json:"damage"`
	Action string `json:"action"`             // what was done, in words
	Moved  string `json:"moved_to,omitempty"` // quarantine path of the moved bytes or files
	// LostFrom and LostTo are the record offsets [from, to) of Damage.Shard that are gone (LostTo 0:
	// up to the shard's newest number before the repair). LostRecords counts them (-1 when unknown).
	LostFrom    uint64 `json:"lost_from_offset"`
	LostTo      uint64 `json:"lost_to_offset"`
	LostRecords int64  `json:"lost_records"`
	BytesMoved  int64  `json:"bytes_moved"`
}

// Lost reports whether the record at offset off of stream/shard is listed as lost.
func (r RepairReport) Lost(stream, shard string, off uint64) bool {
	for _, it := range r.Items {
		if it.Damage.Stream == stream && it.Damage.Shard == shard && off >= it.LostFrom && (it.LostTo == 0 || off < it.LostTo) && it.LostFrom > 0 {
			return true
		}
		if it.Damage.Kind == DamageOrphanShard && it.Damage.Stream == stream && it.Damage.Shard == shard {
			return true
		}
	}
	return false
}

// Repair is the explicit way out of a refused Open: it moves damaged files, or the damaged part of
// a segment, into DIR/quarantine/<UTC time>/ (nothing is deleted), records each lost range of
// record offsets in the shard's state.json so the engine opens with every intact record
// readable, and writes report.json and report.txt beside the moved files. Damage it cannot
// repair (a missing meta.json, a missing shard directory) is listed in Unrepaired and returned
// as an error, and left untouched. The engine must not be running on Dir.
func Repair(opts RepairOptions) (RepairReport, error) {
	rep := RepairReport{Schema: RepairSchema, Dir: opts.Dir, DryRun: opts.DryRun, Items: []RepairItem{}, Unrepaired: []Damage{}}
	if opts.Dir == "" {
		return rep, errors.New("repair: data dir is empty")
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "streams")); err != nil {
		return rep, fmt.Errorf("repair: %s is not an engine data directory: %w", opts.Dir, err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return rep, fmt.Errorf("repair: %w", err)
	}
	if lock != nil {
		defer lock.Close()
	}
	clock := opts.Clock
	if clock == nil {
		clock = realClock{}
	}
	scan, err := scanDataDir(opts.Dir, newCRCTable(), clock.Now())
	if err != nil {
		return rep, fmt.Errorf("repair: %w", err)
	}
	if len(scan.damage) == 0 {
		return rep, nil
	}
	q := filepath.Join(opts.Dir, "quarantine", clock.Now().UTC().Format("20060102T150405.000000000Z"))
	rep.Quarantine = q
	r := &repairer{rep: &rep, dir: opts.Dir, q: q, dry: opts.DryRun}
	for _, ss := range scan.streams {
		for _, sc := range append(append([]*shardScan{}, ss.shards...), ss.orphans...) {
			if err := r.shard(ss, sc, scan.damage); err != nil {
				return rep, fmt.Errorf("repair %s: %w", sc.dir, err)
			}
		}
	}
	for _, d := range scan.damage {
		if !d.Fixable {
			rep.Unrepaired = append(rep.Unrepaired, d)
		}
	}
	for _, it := range rep.Items {
		if it.LostRecords >= 0 {
			rep.RecordsLost += it.LostRecords
		} else {
			rep.RecordsUncounted++
		}
		rep.BytesMoved += it.BytesMoved
	}
	if !opts.DryRun {
		if err := r.writeReports(); err != nil {
			return rep, err
		}
	}
	if n := len(rep.Unrepaired); n > 0 {
		msgs := make([]string, n)
		for i, d := range rep.Unrepaired {
			msgs[i] = d.String() + " — " + d.Remedy
		}
		return rep, fmt.Errorf("repair: %d problem(s) cannot be repaired and were left untouched:\n  %s", n, strings.Join(msgs, "\n  "))
	}
	return rep, nil
}

type repairer struct {
	rep *RepairReport
	dir string
	q   string
	dry bool
}

// quarantinePath mirrors path (inside the data directory) under the quarantine folder.
func (r *repairer) quarantinePath(path, suffix string) (string, error) {
	rel, err := filepath.Rel(r.dir, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is outside %s", path, r.dir)
	}
	return filepath.Join(r.q, rel) + suffix, nil
}

// move renames path into quarantine.
func (r *repairer) move(path string) (string, error) {
	dst, err := r.quarantinePath(path, "")
	if err != nil || r.dry {
		return dst, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), dirPerm); err != nil {
		return "", err
	}
	if err := os.Rename(path, dst); err != nil {
		return "", err
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return "", err
	}
	return dst, syncDir(filepath.Dir(dst))
}

// cut copies bytes [from, end) of path into quarantine, then truncates path to from.
func (r *repairer) cut(path string, from, end int64) (string, error) {
	dst, err := r.quarantinePath(path, fmt.Sprintf(".bytes-%d-%d", from, end))
	if err != nil || r.dry {
		return dst, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), dirPerm); err != nil {
		return "", err
	}
	src, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "", err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, io.NewSectionReader(src, from, end-from))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(dst))
	}
	if err != nil {
		return "", fmt.Errorf("copy %s to quarantine: %w", path, err)
	}
	// Only once the bytes are safe in quarantine is the segment cut.
	if err := src.Truncate(from); err != nil {
		return "", err
	}
	return dst, fdatasync(src)
}

func (r *repairer) shard(ss *streamScan, sc *shardScan, all []Damage) error {
	var mine []Damage
	for _, d := range all {
		if d.Fixable && d.Stream == ss.name && d.Shard == sc.id && (strings.HasPrefix(d.Path, sc.dir+string(os.PathSeparator)) || d.Path == sc.dir) {
			mine = append(mine, d)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	st := sc.state
	st.Version = stateVersion
	stateChanged := false
	for _, d := range mine {
		it := RepairItem{Damage: d, LostRecords: d.Records}
		switch d.Kind {
		case DamageOrphanShard:
			dst, err := r.move(sc.dir)
			if err != nil {
				return err
			}
			it.Action, it.Moved, it.BytesMoved = "moved the shard directory to quarantine", dst, d.Bytes
			r.rep.Items = append(r.rep.Items, it)
			return nil // the directory is gone: nothing else to do in it
		case DamageCorruptFrame:
			var g *segScan
			for _, s := range sc.segs {
				if s.path == d.Path {
					g = s
				}
			}
			if g == nil || d.Offset < 0 {
				continue
			}
			dst, err := r.cut(g.path, g.res.valid, g.size)
			if err != nil {
				return err
			}
			it.Action = fmt.Sprintf("kept the segment's %d valid records (bytes 0–%d); moved bytes %d–%d to quarantine", len(g.res.pos), g.res.valid, g.res.valid, g.size)
			it.Moved, it.BytesMoved = dst, g.size-g.res.valid
			it.LostFrom, it.LostTo = d.From, d.To
			if d.To > 0 {
				st.addGap(d.From, d.To)
				stateChanged = true
			}
		case DamageMissingSegments:
			it.Action = fmt.Sprintf("recorded offsets %d–%d as lost in %s (nothing to move)", d.From, d.To-1, stateFileName)
			it.LostFrom, it.LostTo = d.From, d.To
			st.addGap(d.From, d.To)
			stateChanged = true
		case DamageUnreadableSegment:
			dst, err := r.move(d.Path)
			if err != nil {
				return err
			}
			it.Action, it.Moved = "moved the unreadable segment to quarantine", dst
			it.LostFrom = d.From
			for i, s := range sc.segs {
				if s.base > d.From && (i == 0 || sc.segs[i-1].base < d.From) {
					it.LostTo = s.base
					it.LostRecords = int64(s.base - d.From)
					st.addGap(d.From, s.base)
					stateChanged = true
					break
				}
			}
		case DamageMissingState, DamageUnreadableState:
			if _, err := os.Stat(d.Path); err == nil {
				dst, err := r.quarantinePath(d.Path, "")
				if err != nil {
					return err
				}
				if !r.dry {
					if err := copyFile(d.Path, dst); err != nil {
						return err
					}
				}
				it.Moved = dst
			}
			first := uint64(1)
			if len(sc.segs) > 0 {
				first = sc.segs[0].base
			}
			// The old reservation is unknown: skip far enough that no number handed out before
			// can come again.
			st = shardState{Version: stateVersion, First: first, Reserved: sc.next + 1<<32, Gaps: st.Gaps}
			st.addGap(sc.next, sc.next+1<<32)
			stateChanged = true
			it.Action = fmt.Sprintf("rebuilt %s from the segments: first offset %d, numbering resumes at %d", stateFileName, first, sc.next+1<<32)
			if first > 1 {
				it.LostFrom, it.LostTo = 1, first
				it.Action += fmt.Sprintf("; offsets 1–%d are unaccounted for (deleted by retention or lost)", first-1)
			}
			it.LostRecords = -1
		default:
			continue
		}
		r.rep.Items = append(r.rep.Items, it)
	}
	if stateChanged && !r.dry {
		if err := writeFileAtomicJSON(sc.dir, stateFileName, st); err != nil {
			return err
		}
	}
	return nil
}

func writeFileAtomicJSON(dir, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFileAtomic(dir, name, b)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), dirPerm); err != nil {
		return err
	}
	if err := os.WriteFile(dst, b, filePerm); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

func (r *repairer) writeReports() error {
	if err := os.MkdirAll(r.q, dirPerm); err != nil {
		return fmt.Errorf("repair: %w", err)
	}
	b, err := json.MarshalIndent(r.rep, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(r.q, "report.json", append(b, '\n')); err != nil {
		return fmt.Errorf("repair: %w", err)
	}
	var txt strings.Builder
	r.rep.WriteText(&txt)
	if err := writeFileAtomic(r.q, "report.txt", []byte(txt.String())); err != nil {
		return fmt.Errorf("repair: %w", err)
	}
	return nil
}

// WriteText writes the report for a person: every problem, what was done, what was lost.
func (r RepairReport) WriteText(w io.Writer) {
	verb := "repaired"
	if r.DryRun {
		verb = "would repair (dry run: nothing changed)"
	}
	if len(r.Items) == 0 && len(r.Unrepaired) == 0 {
		fmt.Fprintf(w, "%s: no damage found; the engine opens it as it is\n", r.Dir)
		return
	}
	fmt.Fprintf(w, "%s: %s %d problem(s)", r.Dir, verb, len(r.Items))
	if r.Quarantine != "" && len(r.Items) > 0 {
		fmt.Fprintf(w, "; quarantine %s", r.Quarantine)
	}
	fmt.Fprintln(w)
	for _, it := range r.Items {
		d := it.Damage
		fmt.Fprintf(w, "- %s %s: %s\n    %s\n", d.Stream, d.Shard, d, it.Action)
		if it.Moved != "" {
			fmt.Fprintf(w, "    moved to %s (%d bytes)\n", it.Moved, it.BytesMoved)
		}
		switch {
		case it.LostFrom == 0:
		case it.LostRecords >= 0:
			fmt.Fprintf(w, "    lost: %d record(s), offsets %d–%d\n", it.LostRecords, it.LostFrom, it.LostTo-1)
		case it.LostTo > 0:
			fmt.Fprintf(w, "    lost: offsets %d–%d (count unknown)\n", it.LostFrom, it.LostTo-1)
		default:
			fmt.Fprintf(w, "    lost: offsets from %d to the shard's previous end (count unknown)\n", it.LostFrom)
		}
	}
	fmt.Fprintf(w, "records lost: %d counted", r.RecordsLost)
	if r.RecordsUncounted > 0 {
		fmt.Fprintf(w, ", plus %d item(s) whose loss cannot be counted", r.RecordsUncounted)
	}
	fmt.Fprintf(w, "; bytes moved: %d\n", r.BytesMoved)
	if len(r.Unrepaired) > 0 {
		fmt.Fprintf(w, "NOT repaired (%d), left untouched; the engine will still refuse to open:\n", len(r.Unrepaired))
		for _, d := range r.Unrepaired {
			fmt.Fprintf(w, "- %s\n    %s\n", d, d.Remedy)
		}
	}
}
