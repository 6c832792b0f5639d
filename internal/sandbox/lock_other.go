//go:build !unix

package sandbox

import "os"

// lockState does nothing on systems without flock.
//
// NOTE: on Windows, two sandbox processes can still load one state file and
// overwrite each other's changes.
func lockState(statePath string) (*os.File, error) { return nil, nil }
