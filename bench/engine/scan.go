package engine

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The recovery policy (docs/engine.md): Open drops only a torn tail of a shard's newest segment,
// and reports it. Any other damage — a corrupt frame with intact frames after it, a segment
// missing above the retained start, a missing or unreadable meta.json or state.json, a shard
// directory the metadata does not name that holds records — makes Open refuse the data directory
// with a *DamageError, and Repair is the explicit way out. Scanning is read-only: Open changes
// nothing unless the whole directory passes.

// Damage kinds.
const (
	DamageCorruptFrame       = "corrupt-frame"       // a frame fails its checks and intact frames follow it
	DamageMissingSegments    = "missing-segments"    // segment files missing above the retained start
	DamageMissingMetadata    = "missing-metadata"    // a stream directory without meta.json
	DamageUnreadableMetadata = "unreadable-metadata" // meta.json that cannot be read or parsed
	DamageUnreadableState    = "unreadable-state"    // a shard's state.json that cannot be read or parsed
	DamageMissingState       = "missing-state"       // no state.json, and the first segment does not start at offset 1
	DamageMissingShardDir    = "missing-shard-dir"   // a shard the metadata names has no directory
	DamageOrphanShard        = "orphan-shard"        // a shard directory with records that the metadata does not name
	DamageUnreadableSegment  = "unreadable-segment"  // a segment file that cannot be read
)

// Damage is one problem in a data directory that Open does not repair by itself.
type Damage struct {
	Kind    string `json:"kind"`             // one of the Damage… constants
	Stream  string `json:"stream"`           // stream directory name
	Shard   string `json:"shard,omitempty"`  // shard ID, when the damage is in a shard
	Path    string `json:"path"`             // the damaged (or missing) file or directory
	Offset  int64  `json:"offset"`           // byte offset in Path where the damage starts; -1 when not applicable
	Problem string `json:"problem"`          // what is wrong, in words
	From    uint64 `json:"from_offset"`      // first record offset affected (0 when unknown)
	To      uint64 `json:"to_offset"`        // record offset after the last one affected (0 when unknown)
	Records int64  `json:"records"`          // records affected when countable, else -1
	Bytes   int64  `json:"bytes"`            // bytes affected when countable
	Fixable bool   `json:"repairable"`       // Repair can quarantine it and let the engine open
	Remedy  string `json:"remedy,omitempty"` // what to do when Repair cannot
}

// String names the file, the offset and the problem.
func (d Damage) String() string {
	at := ""
	if d.Offset >= 0 {
		at = fmt.Sprintf(" at byte %d", d.Offset)
	}
	return fmt.Sprintf("%s%s: %s (%s)", d.Path, at, d.Problem, d.Kind)
}

// DamageError is Open's refusal of a data directory with damage other than a torn tail. Nothing
// was changed; run Repair (streamcap engine repair --data-dir DIR) to quarantine the damage.
type DamageError struct {
	Dir    string
	Damage []Damage
}

// Error lists the damage and the way out.
func (e *DamageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data directory %s is damaged beyond a torn tail (%d problem(s)); the engine changed nothing and will not open it:", e.Dir, len(e.Damage))
	for i, d := range e.Damage {
		if i == 10 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Damage)-10)
			break
		}
		fmt.Fprintf(&b, "\n  %s", d)
		if !d.Fixable && d.Remedy != "" {
			fmt.Fprintf(&b, " — %s", d.Remedy)
		}
	}
	fmt.Fprintf(&b, "\nway out: `streamcap engine repair --data-dir %s --dry-run` shows what would be moved to %s, then run it without --dry-run",
		e.Dir, filepath.Join(e.Dir, "quarantine"))
	return b.String()
}

// dataScan is a read-only inspection of a data directory.
type dataScan struct {
	dir     string
	streams []*streamScan
	damage  []Damage
}

type streamScan struct {
	name    string
	dir     string
	meta    *streamMeta
	clean   map[string]uint64 // shard dir name -> exact next offset at a clean Close; nil if none
	cutoff  int64             // arrival unix nanos before which records are past retention
	shards  []*shardScan      // by index, as the metadata lists them
	orphans []*shardScan
}

type shardScan struct {
	index      int
	id         string
	dir        string
	meta       *shardMeta
	state      shardState
	hasState   bool
	dirMissing bool
	segs       []*segScan
	expired    []*segScan // past retention: deletion was cut short, or decided now from the records' times
	stateDirty bool       // the scan moved state.First (retention decided from the records' times)
	next       uint64     // after the last valid record
	hwm        uint64     // at or above every offset that may have been handed out
	torn       *segScan   // the newest segment, if its tail is torn
	tornEmpty  []*segScan // newer segments without one intact frame: part of the torn tail
	records    int64
}

type segScan struct {
	base        uint64
	path        string
	size        int64
	res         scanResult
	tornRecords int64 // frames started in the torn part
	damaged     bool  // a corrupt frame with intact frames after it
}

func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bases []uint64
	for _, ent := range ents {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".seg") {
			continue
		}
		if b, err := strconv.ParseUint(strings.TrimSuffix(name, ".seg"), 10, 64); err == nil {
			bases = append(bases, b)
		}
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	return bases, nil
}

// scanDataDir inspects every stream under dir/streams without changing anything.
func scanDataDir(dir string, tab *crc32.Table, now time.Time) (*dataScan, error) {
	ds := &dataScan{dir: dir}
	streamsDir := filepath.Join(dir, "streams")
	ents, err := os.ReadDir(streamsDir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", streamsDir, err)
	}
	for _, ent := range ents {
		if !ent.IsDir() {
			continue
		}
		ss, err := scanStream(filepath.Join(streamsDir, ent.Name()), ent.Name(), tab, now, &ds.damage)
		if err != nil {
			return nil, err
		}
		if ss != nil {
			ds.streams = append(ds.streams, ss)
		}
	}
	return ds, nil
}

func scanStream(dir, name string, tab *crc32.Table, now time.Time, damage *[]Damage) (*streamScan, error) {
	ss := &streamScan{name: name, dir: dir}
	metaPath := filepath.Join(dir, metaFileName)
	b, err := os.ReadFile(metaPath)
	if err == nil {
		var m streamMeta
		if err = json.Unmarshal(b, &m); err == nil && m.Version != metaVersion {
			err = fmt.Errorf("version %d: this engine reads version %d", m.Version, metaVersion)
		}
		if err == nil {
			for idx, sm := range m.Shards {
				_, ok1 := parseHashKey(sm.StartHashKey)
				_, ok2 := parseHashKey(sm.EndHashKey)
				if !ok1 || !ok2 {
					err = fmt.Errorf("shard %d: bad hash key range [%q, %q]", idx, sm.StartHashKey, sm.EndHashKey)
					break
				}
			}
		}
		if err == nil {
			ss.meta = &m
		}
	}
	if ss.meta == nil {
		kind, problem := DamageUnreadableMetadata, fmt.Sprintf("stream metadata unreadable: %v", err)
		if errors.Is(err, os.ErrNotExist) {
			kind, problem = DamageMissingMetadata, "stream metadata missing: shard lineage and hash-key ranges are recorded only there"
		}
		*damage = append(*damage, Damage{Kind: kind, Stream: name, Path: metaPath, Offset: -1, Problem: problem, Records: -1,
			Remedy: "restore meta.json from a backup (the segments are untouched), or move the stream directory out of streams/ to drop the stream"})
		return ss, nil
	}
	if b, err := os.ReadFile(filepath.Join(dir, cleanFileName)); err == nil {
		var c map[string]uint64
		if json.Unmarshal(b, &c) == nil {
			ss.clean = c
		}
	}
	ss.cutoff = now.Add(-time.Duration(ss.meta.RetentionHours) * time.Hour).UnixNano()
	known := map[string]bool{}
	for idx := range ss.meta.Shards {
		sm := &ss.meta.Shards[idx]
		sdir := filepath.Join(dir, shardDirName(idx))
		known[shardDirName(idx)] = true
		sc, err := scanShard(sdir, idx, sm, ss, tab, damage)
		if err != nil {
			return nil, err
		}
		ss.shards = append(ss.shards, sc)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	for _, ent := range ents {
		if !ent.IsDir() || !strings.HasPrefix(ent.Name(), "shard-") || known[ent.Name()] {
			continue
		}
		sdir := filepath.Join(dir, ent.Name())
		bases, err := listSegments(sdir)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", sdir, err)
		}
		var bytes, records int64
		for _, base := range bases {
			f, err := os.Open(filepath.Join(sdir, segmentName(base)))
			if err != nil {
				continue
			}
			if fi, err := f.Stat(); err == nil {
				bytes += fi.Size()
			}
			if res, err := scanSegment(f, base, tab); err == nil {
				records += int64(len(res.pos))
			}
			_ = f.Close()
		}
		if bytes == 0 {
			continue // an empty leftover of a reshard cut short before its metadata: reused later
		}
		idx, _ := strconv.Atoi(strings.TrimPrefix(ent.Name(), "shard-"))
		*damage = append(*damage, Damage{Kind: DamageOrphanShard, Stream: name, Shard: shardID(idx), Path: sdir, Offset: -1,
			Problem: fmt.Sprintf("shard directory holds %d records (%d bytes of segments) but %s does not name it (metadata older than the data?)", records, bytes, metaFileName),
			Records: records, Bytes: bytes, Fixable: true})
		ss.orphans = append(ss.orphans, &shardScan{index: idx, id: shardID(idx), dir: sdir})
	}
	return ss, nil
}

func scanShard(dir string, idx int, sm *shardMeta, ss *streamScan, tab *crc32.Table, damage *[]Damage) (*shardScan, error) {
	sc := &shardScan{index: idx, id: shardID(idx), dir: dir, meta: sm}
	add := func(d Damage) {
		d.Stream, d.Shard = ss.name, sc.id
		*damage = append(*damage, d)
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		sc.dirMissing = true
		if sm.Closed && sm.EndOffset <= 1 {
			sc.next, sc.hwm = 1, 1
			return sc, nil // never held a record
		}
		add(Damage{Kind: DamageMissingShardDir, Path: dir, Offset: -1, Records: -1,
			Problem: "shard directory missing: every record of the shard is gone",
			Remedy:  "restore the shard directory from a backup"})
		return sc, nil
	}
	bases, err := listSegments(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	st, err := readShardState(dir)
	switch {
	case err == nil:
		sc.state, sc.hasState = st, true
	case errors.Is(err, os.ErrNotExist):
		// A data directory from before state.json: accepted when nothing can be missing below
		// the first segment.
		sc.state = shardState{Version: stateVersion, First: 1}
		if len(bases) > 0 && bases[0] > 1 {
			add(Damage{Kind: DamageMissingState, Path: filepath.Join(dir, stateFileName), Offset: -1, Records: -1, Fixable: true, To: bases[0], From: 1,
				Problem: fmt.Sprintf("%s missing and the first segment starts at offset %d: offsets below it were deleted by retention or lost, which cannot be told apart", stateFileName, bases[0])})
			sc.state.First = bases[0]
		}
	default:
		add(Damage{Kind: DamageUnreadableState, Path: filepath.Join(dir, stateFileName), Offset: -1, Records: -1, Fixable: true,
			Problem: fmt.Sprintf("shard state unreadable: %v", err)})
		sc.state = shardState{Version: stateVersion, First: 1}
		if len(bases) > 0 {
			sc.state.First = bases[0]
		}
	}
	// Trailing segments without a single intact frame (a segment created by a roll just before a
	// crash, before any of its frames reached the disk) are part of the torn tail: the segment
	// before them is the newest that holds records.
	for len(bases) > 1 {
		g := &segScan{base: bases[len(bases)-1], path: filepath.Join(dir, segmentName(bases[len(bases)-1]))}
		f, err := os.Open(g.path)
		if err != nil {
			break
		}
		if fi, err := f.Stat(); err == nil {
			g.size = fi.Size()
			g.res, err = scanSegment(f, g.base, tab)
			if err != nil {
				g.res.pos = []int64{0} // unreadable: leave it to the main loop
			}
		}
		_ = f.Close()
		if len(g.res.pos) > 0 {
			break
		}
		if after, err := frameAfter(g.path, 1, tab); err != nil || after >= 0 {
			break
		}
		sc.tornEmpty = append(sc.tornEmpty, g)
		bases = bases[:len(bases)-1]
	}
	expected := sc.state.First
	checkNext := true
	newestDamage := -1 // index in damage of a corrupt frame in the newest segment
	for i, base := range bases {
		path := filepath.Join(dir, segmentName(base))
		g := &segScan{base: base, path: path}
		f, err := os.Open(path)
		if err == nil {
			var fi os.FileInfo
			if fi, err = f.Stat(); err == nil {
				g.size = fi.Size()
				g.res, err = scanSegment(f, base, tab)
			}
			_ = f.Close()
		}
		if err != nil {
			add(Damage{Kind: DamageUnreadableSegment, Path: path, Offset: -1, Records: -1, Fixable: true, From: base,
				Problem: fmt.Sprintf("segment unreadable: %v", err)})
			checkNext = false
			continue
		}
		if base < sc.state.First {
			if g.res.next <= sc.state.First {
				sc.expired = append(sc.expired, g)
				continue
			}
			add(Damage{Kind: DamageCorruptFrame, Path: path, Offset: -1, Records: -1, Fixable: false, From: base,
				Problem: fmt.Sprintf("segment starts at offset %d but the shard's records start at %d inside it", base, sc.state.First),
				Remedy:  "inspect state.json"})
		}
		if checkNext && base != expected {
			switch {
			case base > expected && sc.state.covered(expected, base):
				// numbers skipped after a crash or quarantined by repair
			case base > expected && len(g.res.ts) > 0 && g.res.ts[0] < ss.cutoff:
				// The missing records arrived no later than this segment's first record, which is
				// past retention: retention may delete them, and every segment before them.
				sc.expired = append(sc.expired, sc.segs...)
				sc.segs, sc.records = nil, 0
				sc.state.First, sc.stateDirty = base, true
			case base > expected:
				add(Damage{Kind: DamageMissingSegments, Path: filepath.Join(dir, segmentName(expected)), Offset: -1, Fixable: true,
					From: expected, To: base, Records: int64(base - expected),
					Problem: fmt.Sprintf("records %d to %d missing: their segment file(s) are gone while younger than retention (the next file present is %s)", expected, base-1, segmentName(base))})
			default:
				add(Damage{Kind: DamageCorruptFrame, Path: path, Offset: -1, Records: -1, From: base,
					Problem: fmt.Sprintf("segment starts at offset %d, inside the previous segment (which ends before %d)", base, expected),
					Remedy:  "move the overlapping segment out of the shard directory"})
			}
		}
		checkNext = true
		if g.res.problem != "" {
			newest := i == len(bases)-1
			after, err := frameAfter(path, g.res.valid+1, tab)
			if err != nil {
				return nil, err
			}
			switch {
			case newest && after < 0:
				g.tornRecords = countStartedFrames(path, g.res.valid)
				sc.torn = g
			default:
				g.damaged = true
				to := uint64(0)
				if !newest {
					to = bases[i+1]
				}
				recs := int64(-1)
				if to > 0 {
					recs = int64(to - g.res.next)
				}
				where := "a later segment follows"
				if after >= 0 {
					where = fmt.Sprintf("an intact frame follows at byte %d", after)
				}
				add(Damage{Kind: DamageCorruptFrame, Path: path, Offset: g.res.valid, Fixable: true, From: g.res.next, To: to,
					Records: recs, Bytes: g.size - g.res.valid,
					Problem: fmt.Sprintf("%s; %s, so this is not a torn tail", strings.TrimPrefix(g.res.problem, fmt.Sprintf("at byte %d: ", g.res.valid)), where)})
				if newest {
					newestDamage = len(*damage) - 1
				}
				checkNext = false
			}
		}
		sc.records += int64(len(g.res.pos))
		sc.segs = append(sc.segs, g)
		expected = g.res.next
	}
	sc.next = expected
	hwm := sc.state.Reserved
	if c, ok := ss.clean[shardDirName(idx)]; ok {
		hwm = c
	}
	if sm.Closed {
		// A closed shard takes no more records: it ends at the end offset its metadata recorded
		// when it was closed (after its pending records were written).
		hwm = sm.EndOffset
	}
	sc.hwm = max(sc.next, hwm)
	if newestDamage >= 0 {
		// The lost records of a damaged newest segment run up to the shard's end before the
		// damage: exact after a clean Close (or for a closed shard), an upper bound otherwise.
		d := &(*damage)[newestDamage]
		d.To = max(sc.hwm, d.From)
		if _, exact := ss.clean[shardDirName(idx)]; exact || sm.Closed {
			d.Records = int64(d.To - d.From)
		}
	}
	return sc, nil
}

// frameAfter returns the byte position of the first intact frame at or after from in the file,
// or -1: it tells a torn tail (nothing intact after the damage) from corruption mid-log.
func frameAfter(path string, from int64, tab *crc32.Table) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return -1, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || from >= fi.Size() {
		return -1, err
	}
	b := make([]byte, fi.Size()-from)
	if _, err := f.ReadAt(b, from); err != nil && !errors.Is(err, io.EOF) {
		return -1, fmt.Errorf("read %s: %w", path, err)
	}
	for p := 0; p+frameHeaderLen+bodyFixedLen < len(b); p++ {
		n, err := headerLen(b[p:])
		if err != nil || p+frameHeaderLen+n > len(b) {
			continue
		}
		if _, err := decodeBody(b[p+frameHeaderLen:p+frameHeaderLen+n], binary.BigEndian.Uint32(b[p+4:p+8]), tab); err == nil {
			return from + int64(p), nil
		}
	}
	return -1, nil
}

// countStartedFrames counts the frames whose header starts in a torn tail at byte from.
func countStartedFrames(path string, from int64) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || from >= fi.Size() {
		return 0
	}
	b := make([]byte, fi.Size()-from) // only the torn tail
	if _, err := f.ReadAt(b, from); err != nil && !errors.Is(err, io.EOF) {
		return 0
	}
	var n int64
	for len(b) >= frameHeaderLen {
		l, err := headerLen(b)
		if err != nil {
			break
		}
		n++
		if frameHeaderLen+l > len(b) {
			break
		}
		b = b[frameHeaderLen+l:]
	}
	return n
}
