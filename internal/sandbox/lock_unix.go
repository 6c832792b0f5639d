//go:build unix

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockState takes an exclusive lock on the file beside the state file, so
// that two sandbox processes cannot load one state and overwrite each
// other's changes. The lock goes with the process when it exits.
func lockState(statePath string) (*os.File, error) {
	f, err := os.OpenFile(statePath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the state lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errStateInUse
		}
		return nil, fmt.Errorf("locking the state: %w", err)
	}
	return f, nil
}
