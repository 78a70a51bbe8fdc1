package engine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A durable engine's iterators survive a restart (its key lives in the data directory, 0600);
// another data directory's engine, and an engine whose key file was replaced, refuse them.
func TestIteratorsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	open := func(d string) *Engine {
		e, err := Open(Options{Dir: d, LimitsOff: true})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open(dir)
	mustCreate(t, e, "s", 1)
	mustPut(t, e, "s", "k", "first")
	it := mustIter(t, e, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, iteratorKeyFile))
	if err != nil || fi.Mode().Perm() != filePerm || fi.Size() != iteratorKeyLen {
		t.Fatalf("key file: %v, mode %v, %d bytes; want %v, %d bytes", err, fi.Mode().Perm(), fi.Size(), filePerm, iteratorKeyLen)
	}

	e = open(dir)
	res, err := e.GetRecords(it, 10)
	if err != nil || len(res.Records) != 1 || string(res.Records[0].Data) != "first" {
		t.Fatalf("after restart: %d records, %v; want the record the iterator was issued for", len(res.Records), err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	other := t.TempDir()
	e2 := open(other)
	mustCreate(t, e2, "s", 1)
	if _, err := e2.GetRecords(it, 10); codeOf(err) != ErrInvalidArgument {
		t.Errorf("another data directory's engine: %v, want %s", err, ErrInvalidArgument)
	}
	e2.Close()

	if err := os.WriteFile(filepath.Join(dir, iteratorKeyFile), []byte("short"), filePerm); err != nil {
		t.Fatal(err)
	}
	e = open(dir) // replaces the damaged key
	defer e.Close()
	if _, err := e.GetRecords(it, 10); codeOf(err) != ErrInvalidArgument {
		t.Errorf("after the key was replaced: %v, want %s", err, ErrInvalidArgument)
	}
}

// codeOf is the Kinesis error code of err, or "".
func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
