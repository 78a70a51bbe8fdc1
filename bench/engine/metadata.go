package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Permissions of everything the engine creates: payloads are private to the engine's user.
const (
	dirPerm  os.FileMode = 0o700
	filePerm os.FileMode = 0o600
)

// streamMeta is the persisted form of a stream (meta.json).
type streamMeta struct {
	Version        int         `json:"version"`
	Name           string      `json:"name"`
	CreatedAt      time.Time   `json:"created_at"`
	RetentionHours int         `json:"retention_hours"`
	MaxRecordSize  int64       `json:"max_record_size"`
	Shards         []shardMeta `json:"shards"`
	Consumers      []Consumer  `json:"consumers"`
}

type shardMeta struct {
	Parent         string   `json:"parent,omitempty"`
	AdjacentParent string   `json:"adjacent_parent,omitempty"`
	StartHashKey   string   `json:"start_hash_key"`
	EndHashKey     string   `json:"end_hash_key"`
	Closed         bool     `json:"closed,omitempty"`
	EndOffset      uint64   `json:"end_offset,omitempty"`
	Children       []string `json:"children,omitempty"`
}

// metaLocked returns the stream's metadata as it stands in memory. Caller holds s.mu.
func (s *stream) metaLocked() streamMeta {
	m := streamMeta{
		Version: metaVersion, Name: s.name, CreatedAt: s.createdAt,
		RetentionHours: s.retentionHours(), MaxRecordSize: s.maxRecord,
		Consumers: append([]Consumer{}, s.consumers...),
	}
	for _, sh := range s.shards {
		sh.mu.RLock()
		m.Shards = append(m.Shards, shardMeta{
			Parent: sh.parent, AdjacentParent: sh.adjParent,
			StartHashKey: sh.start.String(), EndHashKey: sh.end.String(),
			Closed: sh.closed, EndOffset: sh.endOff, Children: sh.children,
		})
		sh.mu.RUnlock()
	}
	return m
}

// writeMeta persists m as the stream's meta.json, durably, before the change it describes takes
// effect in memory (metadata first).
func (s *stream) writeMeta(m streamMeta) error {
	if s.dir == "" {
		return nil
	}
	return s.e.writeMetaFile(s.dir, m)
}

func (e *Engine) writeMetaFile(dir string, m streamMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := e.writeMetadata(dir, metaFileName, b); err != nil {
		return unavailable(fmt.Errorf("stream %s: metadata not saved, nothing changed: %w", m.Name, err))
	}
	return nil
}

// writeMetadata writes a metadata file durably through the configured writer.
func (e *Engine) writeMetadata(dir, name string, data []byte) error {
	if e.opts.WriteMetadata != nil {
		return e.opts.WriteMetadata(dir, name, data)
	}
	return writeFileAtomic(dir, name, data)
}

// writeFileAtomic replaces dir/name with data: write a temporary file, fsync it, rename it over
// the old one and fsync the directory, so a crash leaves either the old or the new content.
func writeFileAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(filePerm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s in %s: %w", name, dir, err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that entries created or renamed in it survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// Shard state (state.json in each shard directory): what recovery needs to tell retention from
// loss and to never reuse a sequence number.
const (
	stateFileName = "state.json"
	stateVersion  = 1
	// reserveStep is how many offsets a shard reserves per state.json write: every offset ever
	// handed out is below the persisted Reserved, so after a crash numbering resumes above it.
	reserveStep = 1 << 16
	// cleanFileName holds each shard's exact next offset, written by Close and consumed by Open,
	// so that a clean restart resumes numbering without a gap.
	cleanFileName = "clean.json"
)

// offsetRange is the half-open range of record offsets [From, To).
type offsetRange struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// shardState is the persisted form of a shard's numbering (state.json).
type shardState struct {
	Version int `json:"version"`
	// First is the first retained offset: retention moves it forward (before it deletes a segment)
	// from the records' own arrival times. A segment missing above it is loss, not retention.
	First uint64 `json:"first"`
	// Reserved is above every offset ever handed out (acknowledged or not).
	Reserved uint64 `json:"reserved"`
	// Gaps are offset ranges known to hold no records: numbers skipped after a crash (never
	// reused) and ranges quarantined by repair (listed in its report).
	Gaps []offsetRange `json:"gaps,omitempty"`
}

// covered reports whether [from, to) lies inside the union of the gaps.
func (st *shardState) covered(from, to uint64) bool {
	for from < to {
		moved := false
		for _, g := range st.Gaps {
			if g.From <= from && from < g.To {
				from = g.To
				moved = true
			}
		}
		if !moved {
			return false
		}
	}
	return true
}

// addGap records [from, to) as holding no records, dropping gaps below first.
func (st *shardState) addGap(from, to uint64) {
	if from >= to {
		return
	}
	st.Gaps = append(st.Gaps, offsetRange{from, to})
}

func (st *shardState) prune() {
	kept := st.Gaps[:0]
	for _, g := range st.Gaps {
		if g.To > st.First {
			kept = append(kept, g)
		}
	}
	st.Gaps = kept
}

func readShardState(dir string) (shardState, error) {
	var st shardState
	b, err := os.ReadFile(filepath.Join(dir, stateFileName))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("%s: %w", stateFileName, err)
	}
	if st.Version != stateVersion {
		return st, fmt.Errorf("%s: version %d: this engine reads version %d", stateFileName, st.Version, stateVersion)
	}
	if st.First < 1 || st.Reserved < st.First {
		return st, fmt.Errorf("%s: first %d, reserved %d: want 1 <= first <= reserved", stateFileName, st.First, st.Reserved)
	}
	return st, nil
}

func (e *Engine) writeShardState(dir string, st shardState) error {
	st.Version = stateVersion
	st.prune()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return e.writeMetadata(dir, stateFileName, b)
}

// initShardDir creates an empty shard directory: state.json and an empty first segment, both
// durable. It is done before the metadata that names the shard is written. An existing directory
// is reused only if it holds no records (an empty leftover of a reshard cut short); made reports
// whether the directory is new, so that a failed reshard removes only what it made.
func (e *Engine) initShardDir(dir string) (made bool, err error) {
	if bases, err := listSegments(dir); err == nil {
		for _, b := range bases {
			p := filepath.Join(dir, segmentName(b))
			if fi, err := os.Stat(p); err != nil || fi.Size() > 0 {
				return false, fmt.Errorf("create shard directory %s: it already holds %s: run `streamcap engine repair`", dir, segmentName(b))
			}
			if err := os.Remove(p); err != nil {
				return false, fmt.Errorf("create shard directory: %w", err)
			}
		}
	} else if !os.IsNotExist(err) {
		return false, fmt.Errorf("create shard directory: %w", err)
	} else {
		if err := os.Mkdir(dir, dirPerm); err != nil {
			return false, fmt.Errorf("create shard directory: %w", err)
		}
		made = true
	}
	f, err := os.OpenFile(filepath.Join(dir, segmentName(1)), os.O_RDWR|os.O_CREATE|os.O_TRUNC, filePerm)
	if err != nil {
		return made, fmt.Errorf("create segment: %w", err)
	}
	if err := f.Close(); err != nil {
		return made, fmt.Errorf("create segment: %w", err)
	}
	// The state write syncs the directory, which makes the segment's entry durable too.
	if err := e.writeShardState(dir, newShardState()); err != nil {
		return made, fmt.Errorf("create shard directory %s: %w", dir, err)
	}
	return made, nil
}

// newShardState is a new shard's state: offsets start at 1, the first reserveStep reserved.
func newShardState() shardState {
	return shardState{Version: stateVersion, First: 1, Reserved: 1 + reserveStep}
}
