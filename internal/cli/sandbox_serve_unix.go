//go:build unix

package cli

import "syscall"

// detachByDefault turns detaching on when stdout is a pipe.
const detachByDefault = true

// detachedProcAttr puts the background sandbox in its own process group, so
// a Ctrl-C meant for the shell's next foreground job does not stop it.
func detachedProcAttr() (*syscall.SysProcAttr, error) {
	return &syscall.SysProcAttr{Setpgid: true}, nil
}
