package driver

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOptionError(t *testing.T) {
	t.Parallel()
	err := Invalid("kafka", "Acks", "most", "one of all, leader, none")
	if got, want := err.Error(), `kafka: option Acks "most": must be one of all, leader, none`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrInvalidOption) {
		t.Error("OptionError does not wrap ErrInvalidOption")
	}
	tests := []struct {
		name string
		err  error
		want string // "" means nil
	}{
		{"int in range", CheckInt("k", "BatchSize", 500, 0, 500), ""},
		{"int above", CheckInt("k", "BatchSize", 501, 0, 500), `k: option BatchSize "501": must be between 0 and 500`},
		{"duration in range", CheckDuration("k", "Linger", 0, 0, time.Second), ""},
		{"duration below", CheckDuration("k", "Linger", -time.Millisecond, 0, time.Second), `k: option Linger "-1ms": must be between 0s and 1s`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.want == "" {
				if tc.err != nil {
					t.Fatalf("unexpected error %v", tc.err)
				}
				return
			}
			if tc.err == nil || tc.err.Error() != tc.want {
				t.Fatalf("error = %v, want %q", tc.err, tc.want)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	b := NewBackoff(100*time.Millisecond, time.Second, 42)
	// Attempt n draws from [d/2, d] with d = min(100ms·2ⁿ, 1s).
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 50 * time.Millisecond, 100 * time.Millisecond},
		{1, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 400 * time.Millisecond, 800 * time.Millisecond},
		{4, 500 * time.Millisecond, time.Second},  // 1.6s capped at 1s
		{60, 500 * time.Millisecond, time.Second}, // no overflow
	}
	for _, tc := range tests {
		for range 200 {
			if d := b.Delay(tc.attempt); d < tc.lo || d > tc.hi {
				t.Fatalf("Delay(%d) = %v, want within [%v, %v]", tc.attempt, d, tc.lo, tc.hi)
			}
		}
	}
	// The same seed gives the same sequence.
	x, y := NewBackoff(time.Millisecond, time.Second, 7), NewBackoff(time.Millisecond, time.Second, 7)
	for i := range 10 {
		if a, b := x.Delay(i), y.Delay(i); a != b {
			t.Fatalf("attempt %d: seeded backoffs differ: %v vs %v", i, a, b)
		}
	}
}

func TestModuleVersion(t *testing.T) {
	t.Parallel()
	if got := ModuleVersion("example.com/not/linked", "v9.9.9"); got != "example.com/not/linked@v9.9.9" {
		t.Errorf("unlinked module = %q, want the pinned fallback", got)
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a canceled context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v, want nil", err)
	}
}
