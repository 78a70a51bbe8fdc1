package kinesisapi

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
)

func TestBeyondLoopback(t *testing.T) {
	t.Parallel()
	lookup := func(_ context.Context, host string) ([]net.IPAddr, error) {
		switch host {
		case "loop.test":
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.2")}, {IP: net.ParseIP("::1")}}, nil
		case "mixed.test":
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}, {IP: net.ParseIP("192.0.2.7")}}, nil
		}
		return nil, errors.New("no such host")
	}
	cases := []struct {
		addr, want, err string
	}{
		{"127.0.0.1:4567", "", ""},
		{"127.0.0.1:0", "", ""},
		{"[::1]:0", "", ""},
		{"localhost:0", "", ""},
		{"loop.test:0", "", ""},
		{":0", "all interfaces", ""},
		{":4567", "all interfaces", ""},
		{"0.0.0.0:4567", "all interfaces", ""},
		{"[::]:4567", "all interfaces", ""},
		{"192.0.2.1:4567", "192.0.2.1", ""},
		{"mixed.test:0", "192.0.2.7", ""},
		{"nowhere.test:0", "", `resolve nowhere.test: no such host`},
		{"4567", "", `address "4567": address 4567: missing port in address`},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			got, err := beyondLoopback(context.Background(), c.addr, lookup)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// TestServeRefusesUnauthenticatedRemote: Serve refuses to listen beyond loopback without --auth
// (issue 9, item 10), before it opens the engine or a socket; --auth or the explicit override
// would let it. Nothing here binds beyond loopback.
func TestServeRefusesUnauthenticatedRemote(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		t.Run(addr, func(t *testing.T) {
			listened := false
			err := Serve(context.Background(), ServeOptions{Addr: addr, InMemory: true, OnListen: func(net.Addr) { listened = true }})
			if err == nil || listened {
				t.Fatalf("Serve(%q) without auth: err %v, listened %v; want a refusal", addr, err, listened)
			}
			for _, want := range []string{addr, "all interfaces", "without authentication", "--auth", "--allow-unauthenticated-remote"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
	// Loopback needs neither: it serves until the context ends.
	ctx, cancel := context.WithCancel(context.Background())
	err := Serve(ctx, ServeOptions{Addr: "127.0.0.1:0", InMemory: true, OnListen: func(net.Addr) { cancel() }})
	if err != nil {
		t.Fatalf("loopback without auth: %v", err)
	}
}
