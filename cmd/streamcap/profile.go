package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/cobra"
)

// profiling is the root's --cpuprofile, --memprofile and --trace flags: a Go
// CPU profile, an allocation profile (both for go tool pprof) and an
// execution trace (for go tool trace) of the whole command, an `engine
// serve` until it shuts down or a `bench` run. docs/performance.md's
// profiles were taken with them.
type profiling struct {
	path, tracePath, memPath string
	file, traceFile, memFile *os.File
}

// register adds the flags to root and starts the profile before any
// subcommand runs.
func (p *profiling) register(root *cobra.Command) {
	root.PersistentFlags().StringVar(&p.path, "cpuprofile", "", "write a Go CPU profile of this command to FILE (for go tool pprof)")
	root.PersistentFlags().StringVar(&p.memPath, "memprofile", "", "write a Go allocation profile of this command to FILE when it ends (for go tool pprof -sample_index=alloc_space)")
	root.PersistentFlags().StringVar(&p.tracePath, "trace", "", "write a Go execution trace of this command to FILE (for go tool trace)")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error { return p.start() }
}

// start begins profiling into p.path and tracing into p.tracePath, each if
// set; with --memprofile it creates that file now (an unwritable path fails
// before the command runs, not after) and samples one allocation per 64 KiB.
func (p *profiling) start() error {
	if p.memPath != "" && p.memFile == nil {
		f, err := os.Create(p.memPath)
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		p.memFile = f
		runtime.MemProfileRate = 64 << 10
	}
	if p.path != "" && p.file == nil {
		f, err := os.Create(p.path)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpuprofile %s: %w", p.path, err)
		}
		p.file = f
	}
	if p.tracePath != "" && p.traceFile == nil {
		f, err := os.Create(p.tracePath)
		if err != nil {
			return fmt.Errorf("--trace: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return fmt.Errorf("--trace %s: %w", p.tracePath, err)
		}
		p.traceFile = f
	}
	return nil
}

// stop ends the profile and closes its file; the command's own error, if
// any, takes precedence over stop's.
func (p *profiling) stop() error {
	var errs []error
	if p.file != nil {
		pprof.StopCPUProfile()
		if err := p.file.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile %s: %w", p.path, err))
		}
		p.file = nil
	}
	if p.traceFile != nil {
		trace.Stop()
		if err := p.traceFile.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--trace %s: %w", p.tracePath, err))
		}
		p.traceFile = nil
	}
	if p.memFile != nil {
		if err := writeHeapProfile(p.memFile); err != nil {
			errs = append(errs, fmt.Errorf("--memprofile %s: %w", p.memPath, err))
		}
		p.memFile = nil
	}
	return errors.Join(errs...)
}

// writeHeapProfile writes the allocation profile so far to f and closes it.
func writeHeapProfile(f *os.File) error {
	runtime.GC() // the profile is as of the last collection
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
