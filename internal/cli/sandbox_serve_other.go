//go:build !unix

package cli

import (
	"fmt"
	"runtime"
	"syscall"
)

// detachByDefault is false because detaching needs Unix process groups and
// descriptor passing. A piped stdout serves in the foreground, as serve did
// before it could detach.
const detachByDefault = false

func detachedProcAttr() (*syscall.SysProcAttr, error) {
	return nil, WithHint(fmt.Errorf("--detach is not supported on %s", runtime.GOOS),
		"run `orgstrap sandbox serve > sandbox.env` in a terminal of its own and read the exports from sandbox.env")
}
