package engine

import (
	"testing"
	"time"
)

// TestIteratorAuthenticated: shard iterators carry an HMAC under a random key per engine (issue 9,
// item 12: an unkeyed CRC let anyone forge an iterator dated 2100 that never expired). A forged
// iterator — well-formed, with a correctly computed MAC under any key but the engine's — is
// refused with InvalidArgumentException, and so is an iterator of another engine holding a stream
// of the same name created at the same instant. A genuine iterator expires after 5 minutes with
// ExpiredIteratorException (API_GetShardIterator: "A shard iterator expires 5 minutes after it is
// returned to the requester").
func TestIteratorAuthenticated(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	a := openMem(t, Options{LimitsOff: true, Clock: clk})
	b := openMem(t, Options{LimitsOff: true, Clock: clk})
	mustCreate(t, a, "s", 1)
	mustCreate(t, b, "s", 1)
	mustPut(t, a, "s", "k", "secret")
	it := mustIter(t, a, "s", "shardId-000000000000", TrimHorizon, "", time.Time{})

	_, err := b.GetRecords(it, 0)
	wantCode(t, err, ErrInvalidArgument, "not issued by this server")

	d, err := decodeIterator(it, a.iterKey)
	if err != nil {
		t.Fatal(err)
	}
	d.issued = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	_, err = a.GetRecords(d.encode(newIteratorKey()), 0)
	wantCode(t, err, ErrInvalidArgument, "not issued by this server")
	// The same forgery under the engine's own key is accepted: the key is what protects.
	if _, err := a.GetRecords(d.encode(a.iterKey), 0); err != nil {
		t.Fatalf("iterator re-signed with the engine's key: %v", err)
	}

	res, err := a.GetRecords(it, 0)
	if err != nil || len(res.Records) != 1 || string(res.Records[0].Data) != "secret" {
		t.Fatalf("genuine iterator: %v, %+v", err, res)
	}
	clk.Advance(5*time.Minute + time.Nanosecond)
	_, err = a.GetRecords(res.NextShardIterator, 0)
	wantCode(t, err, ErrExpiredIterator, "Iterator expired")
}
