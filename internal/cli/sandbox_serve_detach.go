package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// detachReadyTimeout bounds how long serve waits for its background process
// to load the state and start serving.
const detachReadyTimeout = 30 * time.Second

// The background process inherits its listening socket and the ready pipe as
// these descriptors: os/exec numbers ExtraFiles from 3.
const (
	childListenFD = 3
	childReadyFD  = 4
)

// isStdoutPipe reports whether out is the process's stdout and a pipe, as in
// `eval "$(orgstrap sandbox serve | head -n 4)"`. A shell waits for every
// writer of that pipe to exit, so a server that keeps stdout open would hang
// it. Other writers, such as a test's buffer, never count as a pipe.
func isStdoutPipe(out io.Writer) bool {
	file, ok := out.(*os.File)
	if !ok || file != os.Stdout {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeNamedPipe != 0
}

// runSandboxServeDetached binds the listener, starts `orgstrap sandbox
// serve` again as a background process that serves on it, and returns once
// that process is ready, after copying its export lines to stdout.
//
// The background process owns the sandbox: it loads or creates the state
// and sends its export lines back through a pipe. So a memory-only sandbox
// stays in memory, and no file holds its secret key.
func runSandboxServeDetached(ctx context.Context, streams Streams, opts *sandboxServeOptions) error {
	procAttr, err := detachedProcAttr()
	if err != nil {
		return err
	}
	executable, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the orgstrap executable to run in the background: %w", err)
	}

	listener, err := opts.listen()
	if err != nil {
		return err
	}
	defer listener.Close()
	tcpListener, ok := listener.(*net.TCPListener)
	if !ok {
		return fmt.Errorf("invalid listener %s: want a TCP socket", listener.Addr())
	}
	listenerFile, err := tcpListener.File()
	if err != nil {
		return fmt.Errorf("passing the listening socket to the background process: %w", err)
	}
	defer listenerFile.Close()
	readyReader, readyWriter, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("creating the ready pipe for the background process: %w", err)
	}
	defer readyReader.Close()

	child := exec.Command(executable, opts.childArgs(listener.Addr().String())...)
	child.ExtraFiles = []*os.File{listenerFile, readyWriter}
	child.SysProcAttr = procAttr
	// Stdin and stdout are /dev/null, so the shell reading stdout gets end
	// of file once this process exits. Logs keep going to stderr, but only when
	// it is a file: os/exec would copy any other writer through a pipe that
	// breaks when this process exits.
	stderrFile, inheritsStderr := streams.Err.(*os.File)
	if inheritsStderr {
		child.Stderr = stderrFile
	}
	err = child.Start()
	readyWriter.Close() // the child holds the only writer now
	if err != nil {
		return fmt.Errorf("starting the background sandbox %s: %w", executable, err)
	}

	env, err := awaitReady(ctx, child, readyReader, inheritsStderr)
	if err != nil {
		return err
	}
	if _, err := streams.Out.Write(env); err != nil {
		return fmt.Errorf("writing the environment: %w", err)
	}
	pid := child.Process.Pid
	fmt.Fprintf(streams.Err, "The sandbox is serving in the background as process %d. Stop it with: kill %d\n", pid, pid)
	return child.Process.Release()
}

// childArgs returns the arguments of the background process: every serve
// flag with its value, the address the listener got, and the descriptors.
// A flag bound in bindFlags but missing here would silently take its
// default in the background process.
func (o *sandboxServeOptions) childArgs(addr string) []string {
	args := []string{"sandbox", "serve",
		"--addr=" + addr,
		"--create-account-delay=" + o.CreateAccountDelay.String(),
		"--consistency-delay=" + o.ConsistencyDelay.String(),
		"--throttle-rate=" + strconv.FormatFloat(o.ThrottleRate, 'g', -1, 64),
		"--account-quota=" + strconv.Itoa(o.AccountQuota),
		"--max-concurrent-creations=" + strconv.Itoa(o.MaxConcurrentCreations),
		"--enforce-iam=" + strconv.FormatBool(o.EnforceIAM),
		"--detach=false",
		"--listen-fd=" + strconv.Itoa(childListenFD),
		"--ready-fd=" + strconv.Itoa(childReadyFD),
	}
	if o.StatePath != "" {
		args = append(args, "--state="+o.StatePath)
	}
	return args
}

// awaitReady returns the export lines the child writes to ready once it
// serves. When the child exits, fails to start in time or the command is
// interrupted first, awaitReady stops the child and returns an error.
func awaitReady(ctx context.Context, child *exec.Cmd, ready io.Reader, inheritsStderr bool) ([]byte, error) {
	type readResult struct {
		data []byte
		err  error
	}
	// The child writes the lines in one write of less than the pipe's
	// atomic size (512 bytes or more in POSIX), then closes the pipe, so
	// the read ends with all the lines or none.
	result := make(chan readResult, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(ready, 4096))
		result <- readResult{data, err}
	}()

	timer := time.NewTimer(detachReadyTimeout)
	defer timer.Stop()
	select {
	case r := <-result:
		if r.err != nil {
			stopChild(child)
			return nil, fmt.Errorf("reading the ready pipe of the background sandbox: %w", r.err)
		}
		if len(r.data) == 0 {
			return nil, childExitError(child, inheritsStderr)
		}
		if err := checkEnvironment(r.data); err != nil {
			stopChild(child)
			return nil, err
		}
		return r.data, nil
	case <-timer.C:
		stopChild(child)
		return nil, WithHint(fmt.Errorf("timed out after %s waiting for the background sandbox to serve", detachReadyTimeout),
			"run serve with --detach=false to watch it start")
	case <-ctx.Done():
		stopChild(child)
		return nil, fmt.Errorf("interrupted while the background sandbox started: %w", ctx.Err())
	}
}

// checkEnvironment checks that the child sent four export lines. The
// message leaves the lines out because one of them is the secret key.
func checkEnvironment(data []byte) error {
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != 4 || !bytes.HasSuffix(data, []byte("\n")) {
		return fmt.Errorf("invalid output from the background sandbox: got %d lines, want 4 export lines", len(lines))
	}
	for i, line := range lines {
		if !bytes.HasPrefix(line, []byte("export ")) {
			return fmt.Errorf("invalid output from the background sandbox: line %d is not an export line", i+1)
		}
	}
	return nil
}

// childExitError waits for a child that closed the ready pipe without
// writing to it, and describes how it ended.
func childExitError(child *exec.Cmd, inheritsStderr bool) error {
	err := child.Wait()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() > 0 {
		if inheritsStderr {
			// The child printed its error and hint on the same stderr.
			return &ExitError{Code: exitErr.ExitCode()}
		}
		return WithHint(fmt.Errorf("the background sandbox exited with status %d before serving", exitErr.ExitCode()),
			"run serve with --detach=false to see its error")
	}
	if err != nil {
		return fmt.Errorf("the background sandbox stopped before serving: %w", err)
	}
	return errors.New("the background sandbox exited before serving")
}

// stopChild kills a child that is not ready and waits for it, so that no
// half-started sandbox keeps the port.
func stopChild(child *exec.Cmd) {
	child.Process.Kill()
	child.Wait()
}
