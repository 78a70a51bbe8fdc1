package bench

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// memDriver is an in-memory target for tests: Send appends to every
// consumer's queue (after an optional service delay and stall), Consume
// delivers from its queue. It implements Driver.
type memDriver struct {
	service time.Duration
	// stallAt/stallFor freeze the target once: sends arriving in
	// [stallAt, stallAt+stallFor) after Setup wait until it ends.
	stallAt, stallFor time.Duration
	// failAfter makes every send after that offset fail (a dead target);
	// hangAfter makes them block until their context ends.
	failAfter, hangAfter time.Duration
	setupErr             error

	start time.Time
	sent  atomic.Int64
	mu    sync.Mutex
	subs  []chan []byte
}

var _ Driver = (*memDriver)(nil)

func (d *memDriver) Info() DriverInfo {
	return DriverInfo{Name: "mem", Version: "test", Settings: map[string]string{"service": d.service.String()}}
}

func (d *memDriver) Setup(_ context.Context, topo Topology) error {
	if d.setupErr != nil {
		return d.setupErr
	}
	d.start = time.Now()
	d.subs = make([]chan []byte, topo.Consumers)
	for i := range d.subs {
		d.subs[i] = make(chan []byte, 1<<16)
	}
	return nil
}

func (d *memDriver) Send(ctx context.Context, _ string, payload []byte) error {
	at := time.Since(d.start)
	switch {
	case d.hangAfter > 0 && at >= d.hangAfter:
		<-ctx.Done()
		return ctx.Err()
	case d.failAfter > 0 && at >= d.failAfter:
		return errors.New("connection refused")
	case d.stallFor > 0 && at >= d.stallAt && at < d.stallAt+d.stallFor:
		time.Sleep(d.stallAt + d.stallFor - at)
	case d.service > 0:
		time.Sleep(d.service)
	}
	d.sent.Add(1)
	for _, ch := range d.subs {
		cp := append([]byte(nil), payload...)
		select {
		case ch <- cp:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (d *memDriver) Consume(ctx context.Context, index int, fn func(Delivery)) error {
	ch := d.subs[index]
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-ch:
			fn(Delivery{Payload: p, ReceivedAt: time.Now()})
		}
	}
}

func (d *memDriver) Close() error { return nil }
