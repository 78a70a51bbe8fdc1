package driver

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestShardReadersFollowLineage: shard 0 splits into 2 and 3; 1 and 2
// merge into 4. Shard 4 must start only after both 1 and 2 are read to
// their ends, and every shard is read exactly once.
func TestShardReadersFollowLineage(t *testing.T) {
	t.Parallel()
	children := map[string][]Child{
		"0": {{ID: "2", Parents: []string{"0"}}, {ID: "3", Parents: []string{"0"}}},
		"1": {{ID: "4", Parents: []string{"1", "2"}}},
		"2": {{ID: "4", Parents: []string{"1", "2"}}},
	}
	release1 := make(chan struct{})
	var mu sync.Mutex
	var order []string
	var read func(ctx context.Context, id string, pos string) []Child
	read = func(ctx context.Context, id string, pos string) []Child {
		if id == "1" {
			<-release1 // shard 1 is slow: 4 must wait for it
		}
		mu.Lock()
		order = append(order, id+"@"+pos)
		mu.Unlock()
		return children[id]
	}
	r := NewShardReaders(read, "trim")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.Start(ctx, "0", "ts")
	r.Start(ctx, "1", "ts")
	r.Start(ctx, "0", "ts") // already running: ignored
	done := r.Done()
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	if slices.Contains(order, "4@trim") {
		t.Fatalf("shard 4 started before its parent 1 finished: %v", order)
	}
	mu.Unlock()
	close(release1)
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("readers never finished")
	}
	slices.Sort(order)
	want := []string{"0@ts", "1@ts", "2@trim", "3@trim", "4@trim"}
	if !slices.Equal(order, want) {
		t.Fatalf("read %v, want %v", order, want)
	}
}
