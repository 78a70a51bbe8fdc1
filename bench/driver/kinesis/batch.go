package kinesis

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamcap/streamcap/bench"
	"github.com/streamcap/streamcap/bench/driver"
)

// errClosed fails sends queued or in flight when the driver closes.
var errClosed = errors.New("kinesis: driver closed")

// entry is one Send waiting in a PutRecords batch. Entries are pooled: a
// Send that received its outcome gives its entry back, payload buffer and
// channel included, so a send allocates nothing in the steady state (fresh
// memory is expensive: every new page is faulted in). An entry whose Send
// left early (its ctx ended) is never reused: the batch may still hold it.
type entry struct {
	key  string
	data []byte     // a copy of the caller's payload, in a reused buffer
	done chan error // buffered 1: the batch never blocks on a departed Send
}

// maxPooledData is the largest payload buffer an entry keeps when it goes
// back to the pool: the largest Kinesis record (the pool itself lets go of
// what stays unused across two garbage collections).
const maxPooledData = 1 << 20

// size is what the entry counts against the 10 MiB PutRecords limit.
func (e *entry) size() int { return len(e.key) + len(e.data) }

// batcher gathers concurrent sends into PutRecords calls, as the Kinesis
// Producer Library aggregates: a batch becomes ready Linger after its first
// record (at once with Linger 0) and goes when one of MaxInflightBatches
// call slots is free; while every slot is busy it keeps filling, up to
// BatchSize records or MaxBatchBytes. A full batch waits for a slot, and so
// do the senders behind it: the backpressure the load generator observes.
type batcher struct {
	d   *Driver
	in  chan *entry
	sem chan struct{}
	// entries recycles entries (see entry); reqs recycles the request
	// slices of PutRecords calls and bodies their encoded bodies.
	entries sync.Pool
	reqs    sync.Pool
	bodies  bodyPool
}

func newBatcher(d *Driver) *batcher {
	return &batcher{
		d:   d,
		in:  make(chan *entry, d.opts.BatchSize),
		sem: make(chan struct{}, d.opts.MaxInflightBatches),
	}
}

// send queues one record and waits for its outcome or the end of ctx.
func (b *batcher) send(ctx context.Context, key string, payload []byte) error {
	if b.d.ctx.Err() != nil {
		return errClosed
	}
	e, _ := b.entries.Get().(*entry)
	if e == nil {
		e = &entry{done: make(chan error, 1)}
	}
	e.key, e.data = key, append(e.data[:0], payload...)
	select {
	case b.in <- e: // the common case: room in the queue, no need to watch ctx
	default:
		select {
		case b.in <- e:
		case <-ctx.Done():
			b.release(e) // never queued: nobody else holds it
			return fmt.Errorf("kinesis: queue record: %w", ctx.Err())
		case <-b.d.ctx.Done():
			b.release(e)
			return errClosed
		}
	}
	// An entry queued before the driver closed is answered: the batch
	// loop, or Close's drain, takes it after the close. If the driver was
	// open after queueing, the close came later, so the wait need not
	// watch for it.
	if b.d.ctx.Err() == nil {
		select {
		case err := <-e.done:
			b.release(e)
			return err
		case <-ctx.Done():
			return fmt.Errorf("kinesis: wait for ack: %w", ctx.Err())
		}
	}
	// Closing: the entry may have been queued after the batch loop and
	// Close's drain stopped taking them, and then nobody answers it.
	select {
	case err := <-e.done:
		b.release(e)
		return err
	case <-ctx.Done():
		return fmt.Errorf("kinesis: wait for ack: %w", ctx.Err())
	case <-time.After(b.d.opts.RequestTimeout):
		return errClosed
	}
}

// release gives back an entry whose outcome its Send has received (or that
// was never queued): nothing else refers to it any more.
func (b *batcher) release(e *entry) {
	e.key = ""
	if cap(e.data) > maxPooledData {
		e.data = nil
	}
	b.entries.Put(e)
}

// maxTopUpYields bounds the yields of the batch loop topping up a batch
// once a call slot is free (see run): enough for a batch of senders woken
// together to queue on two cores, few enough to cost nothing noticeable.
const maxTopUpYields = 16

// run is the batching loop; it returns when ctx (the driver's) ends, after
// failing what it holds and waiting for in-flight calls.
func (b *batcher) run(ctx context.Context) {
	o := b.d.opts
	var (
		batch  []*entry
		bytes  int
		ready  bool // the batch may go as soon as a call slot is free
		timer  = time.NewTimer(time.Hour)
		timerC <-chan time.Time
	)
	timer.Stop()
	defer func() {
		for _, e := range batch {
			e.done <- errClosed
		}
		for range cap(b.sem) { // wait for in-flight calls
			b.sem <- struct{}{}
		}
	}()
	// launch sends the batch; the caller has taken a slot of b.sem.
	launch := func() {
		timer.Stop()
		timerC, ready = nil, false
		out := batch
		batch, bytes = make([]*entry, 0, o.BatchSize), 0
		b.d.st.noteBatch(len(out))
		go func() {
			defer func() { <-b.sem }()
			b.put(ctx, out)
		}()
	}
	// full sends a batch that cannot grow, waiting for a slot.
	full := func() {
		b.sem <- struct{}{}
		launch()
	}
	add := func(e *entry) {
		if len(batch) > 0 && bytes+e.size() > MaxBatchBytes {
			full()
		}
		batch = append(batch, e)
		bytes += e.size()
		if len(batch) == 1 {
			if o.Linger > 0 {
				timer.Reset(o.Linger)
				timerC = timer.C
			} else {
				ready = true
			}
		}
		if len(batch) >= o.BatchSize {
			full()
		}
	}
	// topUp moves queued records into the batch while it has room; a record
	// that would take it past MaxBatchBytes is returned for the next one.
	topUp := func() *entry {
		for len(batch) < o.BatchSize {
			select {
			case e := <-b.in:
				if bytes+e.size() > MaxBatchBytes {
					return e
				}
				batch = append(batch, e)
				bytes += e.size()
			default:
				return nil
			}
		}
		return nil
	}
	for {
		// Take what is queued already, so a free slot gets a full batch.
		for drained := false; !drained; {
			select {
			case e := <-b.in:
				add(e)
			default:
				drained = true
			}
		}
		var slot chan struct{}
		if ready && len(batch) > 0 {
			slot = b.sem
		}
		select {
		case e := <-b.in:
			add(e)
		case slot <- struct{}{}:
			// A slot is ours: let the senders the last acknowledgements
			// woke queue their next records, and top the batch up first,
			// yielding again while records keep arriving (a completed
			// call wakes up to a batch's worth of senders, who need a
			// turn each to queue), at most maxTopUpYields times.
			var carry *entry
			for range maxTopUpYields {
				n := len(batch)
				runtime.Gosched()
				if carry = topUp(); carry != nil || len(batch) == n || len(batch) >= o.BatchSize {
					break
				}
			}
			launch()
			if carry != nil {
				add(carry)
			}
		case <-timerC:
			timerC, ready = nil, true
		case <-ctx.Done():
			for {
				select {
				case e := <-b.in:
					e.done <- errClosed
				default:
					return
				}
			}
		}
	}
}

// put sends one batch with PutRecords and completes every entry: entries
// the stream accepted get nil; throttled entries and InternalFailure entries
// are retried (only those) after a jittered backoff, up to MaxRetries; a
// whole-call throttle or a connection lost mid-call (see isTransient)
// retries the whole batch. ctx is the driver's.
func (b *batcher) put(ctx context.Context, batch []*entry) {
	d := b.d
	stream := d.currentStream()
	pending := batch
	rp, _ := b.reqs.Get().(*[]types.PutRecordsRequestEntry)
	if rp == nil {
		rp = new([]types.PutRecordsRequestEntry)
	}
	defer func() {
		clear(*rp) // drop the references to entries that may be reused
		b.reqs.Put(rp)
	}()
	for attempt := 0; ; attempt++ {
		reqs := (*rp)[:0]
		for _, e := range pending {
			// The key's address is the entry's own field: no allocation,
			// and the entry outlives the call (its Send waits for it).
			reqs = append(reqs, types.PutRecordsRequestEntry{PartitionKey: &e.key, Data: e.data})
		}
		*rp = reqs
		cctx, cancel := context.WithTimeout(ctx, d.opts.RequestTimeout)
		body, cctx := b.bodies.get(cctx)
		out, err := d.client.PutRecords(cctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: reqs})
		cancel()
		b.bodies.put(body)
		d.st.calls.Add(1)
		var retry []*entry
		var lastCode, lastMsg string
		var lastErr error // a whole-call transport failure, kept for the final error
		switch {
		case err != nil && isThrottle(err):
			d.st.throttled.Add(int64(len(pending)))
			retry = pending
			lastCode, lastMsg = codeThrottled, err.Error()
		case err != nil && isTransient(err):
			d.st.transportErrors.Add(1)
			retry, lastErr = pending, err
		case err != nil:
			failAll(pending, fmt.Errorf("kinesis: put records to %q: %w", stream, err))
			return
		case len(out.Records) != len(pending):
			failAll(pending, fmt.Errorf("kinesis: put records to %q: %w: %d results for %d records", stream, bench.ErrInvalidResponse, len(out.Records), len(pending)))
			return
		default:
			for i, r := range out.Records {
				code := aws.ToString(r.ErrorCode)
				switch {
				case code == "" && (aws.ToString(r.SequenceNumber) == "" || aws.ToString(r.ShardId) == ""):
					pending[i].done <- fmt.Errorf("kinesis: put records to %q: %w: entry without SequenceNumber, ShardId or ErrorCode", stream, bench.ErrInvalidResponse)
				case code == "":
					pending[i].done <- nil
				case isThrottleCode(code):
					d.st.throttled.Add(1)
					retry = append(retry, pending[i])
					lastCode, lastMsg = code, aws.ToString(r.ErrorMessage)
				case code == codeInternal:
					retry = append(retry, pending[i])
					lastCode, lastMsg = code, aws.ToString(r.ErrorMessage)
				default:
					pending[i].done <- fmt.Errorf("kinesis: put records to %q: entry refused: %s: %s", stream, code, aws.ToString(r.ErrorMessage))
				}
			}
		}
		if len(retry) == 0 {
			return
		}
		if attempt >= d.opts.MaxRetries {
			if lastErr != nil {
				failAll(retry, fmt.Errorf("kinesis: put records to %q: failed after %d attempts: %w", stream, attempt+1, lastErr))
			} else {
				failAll(retry, finalErr(stream, attempt+1, lastCode, lastMsg))
			}
			return
		}
		d.st.retries.Add(int64(len(retry)))
		if serr := driver.Sleep(ctx, d.backoff.Delay(attempt)); serr != nil {
			failAll(retry, errClosed)
			return
		}
		pending = retry
	}
}

// finalErr is the error of a record still refused after its last attempt;
// capacity refusals wrap bench.ErrThrottled.
func finalErr(stream string, attempts int, code, msg string) error {
	if isThrottleCode(code) {
		return fmt.Errorf("kinesis: put records to %q: %w after %d attempts: %s: %s", stream, bench.ErrThrottled, attempts, code, msg)
	}
	return fmt.Errorf("kinesis: put records to %q: entry failed after %d attempts: %s: %s", stream, attempts, code, msg)
}

// failAll completes every entry with err.
func failAll(entries []*entry, err error) {
	for _, e := range entries {
		e.done <- err
	}
}

// drain fails entries queued after the batch loop stopped.
func (b *batcher) drain() {
	for {
		select {
		case e := <-b.in:
			e.done <- errClosed
		default:
			return
		}
	}
}
