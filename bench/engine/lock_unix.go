//go:build unix

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFileName is the data directory's lock: one engine (or one repair) at a time.
const lockFileName = "LOCK"

// lockDir takes an exclusive, non-blocking flock on dir/LOCK; closing the file releases it (so
// does the kernel when the process dies).
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another engine or repair (%s is locked): stop it first", dir, path)
		}
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	return f, nil
}
