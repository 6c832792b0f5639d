//go:build unix

package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSandboxServeProcess builds orgstrap and runs `sandbox serve` as the
// shell runs it: behind a pipe, with stdout on a file, with and without
// --detach.
func TestSandboxServeProcess(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "orgstrap")
	build := exec.Command("go", "build", "-o", binary, "github.com/orgstrap/orgstrap/cmd/orgstrap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building orgstrap: %v\n%s", err, out)
	}

	t.Run("eval memory only", func(t *testing.T) { testServeEval(t, binary, false) })
	t.Run("eval state file", func(t *testing.T) { testServeEval(t, binary, true) })
	t.Run("detach file stdout", func(t *testing.T) { testServeDetachFile(t, binary) })
	t.Run("foreground file stdout", func(t *testing.T) { testServeForegroundFile(t, binary) })
	t.Run("detach false pipe", func(t *testing.T) { testServeDetachFalse(t, binary) })
	t.Run("detach child error", func(t *testing.T) { testServeDetachError(t, binary) })
}

// testServeEval runs the documented `eval "$(... | head -n 4)"` form in
// bash, which hangs unless serve leaves the pipe once it has printed.
func testServeEval(t *testing.T, binary string, withState bool) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, "sandbox.json")
	stateArgs := ""
	if withState {
		stateArgs = "--state " + statePath
	}
	script := `eval "$("$ORGSTRAP" sandbox serve --addr 127.0.0.1:0 $STATE_ARGS | head -n 4)"
for name in AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION; do
  printf 'export %s=%s\n' "$name" "${!name}"
done`

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Env = append(os.Environ(), "ORGSTRAP="+binary, "STATE_ARGS="+stateArgs, "TMPDIR="+tmp)
	// On a timeout, kill the whole pipeline, not only bash. A detached
	// sandbox has a process group of its own and survives this.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	// A file, not a buffer: the background process keeps stderr open, and
	// os/exec would wait for a pipe's last writer.
	stderrPath := filepath.Join(dir, "stderr")
	cmd.Stderr = createFile(t, stderrPath)
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the eval form did not return within 30s; stderr:\n%s", readFile(t, stderrPath))
	}
	pid := backgroundPID(t, stderrPath)
	if err != nil {
		t.Fatalf("the eval form failed: %v; stderr:\n%s", err, readFile(t, stderrPath))
	}

	env := parseExports(stdout.String())
	checkAdminIdentity(t, env)
	stopBackground(t, pid)

	log := readFile(t, stderrPath)
	if !strings.Contains(log, "sandbox stopped") {
		t.Errorf("stderr lacks the stop record after SIGTERM:\n%s", log)
	}
	if secret := env["AWS_SECRET_ACCESS_KEY"]; strings.Contains(log, secret) {
		t.Errorf("stderr contains the secret access key:\n%s", log)
	}
	if withState {
		if state := readFile(t, statePath); !strings.Contains(state, env["AWS_ACCESS_KEY_ID"]) {
			t.Errorf("state file %s lacks the administrator key %s", statePath, env["AWS_ACCESS_KEY_ID"])
		}
		return
	}
	// A memory-only sandbox leaves no file with its secret behind.
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		t.Errorf("the memory-only sandbox left %s in TMPDIR", entry.Name())
	}
}

// testServeDetachFile runs `serve --detach > env.txt`: it must exit once
// env.txt holds the exports.
func testServeDetachFile(t *testing.T, binary string) {
	dir := t.TempDir()
	envPath, stderrPath := filepath.Join(dir, "env.txt"), filepath.Join(dir, "stderr")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "sandbox", "serve", "--detach", "--addr", "127.0.0.1:0")
	cmd.Stdout = createFile(t, envPath)
	cmd.Stderr = createFile(t, stderrPath)
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("serve --detach did not return within 30s; stderr:\n%s", readFile(t, stderrPath))
	}
	pid := backgroundPID(t, stderrPath)
	if err != nil {
		t.Fatalf("serve --detach failed: %v; stderr:\n%s", err, readFile(t, stderrPath))
	}

	exports := readFile(t, envPath)
	if lines := strings.Count(exports, "\n"); lines != 4 {
		t.Errorf("env.txt has %d lines, want 4", lines)
	}
	checkAdminIdentity(t, parseExports(exports))
	stopBackground(t, pid)
	if log := readFile(t, stderrPath); !strings.Contains(log, "sandbox stopped") {
		t.Errorf("stderr lacks the stop record after SIGTERM:\n%s", log)
	}
}

// testServeForegroundFile runs `serve > env.txt &`: with stdout on a file
// and no --detach, serve keeps serving in the process that was started.
func testServeForegroundFile(t *testing.T, binary string) {
	dir := t.TempDir()
	envPath, stderrPath := filepath.Join(dir, "env.txt"), filepath.Join(dir, "stderr")
	cmd := exec.Command(binary, "sandbox", "serve", "--addr", "127.0.0.1:0")
	cmd.Stdout = createFile(t, envPath)
	cmd.Stderr = createFile(t, stderrPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	exports := waitForExports(t, envPath)
	checkAdminIdentity(t, parseExports(exports))
	if log := readFile(t, stderrPath); strings.Contains(log, "in the background") {
		t.Errorf("serve with stdout on a file detached:\n%s", log)
	}
	checkStopsOnSignal(t, cmd)
}

// testServeDetachFalse keeps serve in the foreground behind a pipe, as a
// supervisor that reads stdout needs.
func testServeDetachFalse(t *testing.T, binary string) {
	cmd := exec.Command(binary, "sandbox", "serve", "--detach=false", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderrPath := filepath.Join(t.TempDir(), "stderr")
	cmd.Stderr = createFile(t, stderrPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	var lines []string
	scanner := bufio.NewScanner(stdout)
	for len(lines) < 4 && scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	if len(lines) < 4 {
		t.Fatalf("serve --detach=false printed %q, want four export lines; stderr:\n%s", lines, readFile(t, stderrPath))
	}
	checkAdminIdentity(t, parseExports(strings.Join(lines, "\n")))
	checkStopsOnSignal(t, cmd)
}

// testServeDetachError starts a detached serve on a corrupt state file: the
// background process reports the error once, and serve exits with its
// status without printing exports.
func testServeDetachError(t *testing.T, binary string) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "sandbox.json")
	if err := os.WriteFile(statePath, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "sandbox", "serve", "--detach", "--addr", "127.0.0.1:0", "--state", statePath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("serve --detach on a corrupt state: got %v, want exit status 1", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: got %q, want nothing", stdout.String())
	}
	if got := strings.Count(stderr.String(), "Error: "); got != 1 {
		t.Errorf("stderr has %d error lines, want 1:\n%s", got, stderr.String())
	}
	if !strings.Contains(stderr.String(), "loading sandbox state") {
		t.Errorf("stderr lacks the state error:\n%s", stderr.String())
	}
}

func createFile(t *testing.T, path string) *os.File {
	t.Helper()
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	return file
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var exportAssignment = regexp.MustCompile(`([A-Z_]+)=(\S+)`)

// parseExports returns the variables that the export lines in text set.
func parseExports(text string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "export ") {
			continue
		}
		for _, m := range exportAssignment.FindAllStringSubmatch(line, -1) {
			env[m[1]] = m[2]
		}
	}
	return env
}

// backgroundPID returns the process id that serve printed on stderr, and
// kills that process when the test ends in case the test stops early.
func backgroundPID(t *testing.T, stderrPath string) int {
	t.Helper()
	log := readFile(t, stderrPath)
	m := regexp.MustCompile(`in the background as process (\d+)\. Stop it with: kill (\d+)`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("stderr lacks the background process id:\n%s", log)
	}
	if m[1] != m[2] {
		t.Errorf("stderr names process %s but tells to kill %s", m[1], m[2])
	}
	pid, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !processGone(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid
}

// processGone reports whether pid has exited. A process whose parent has
// exited is reaped by init, which may lag, so a zombie counts as gone.
func processGone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// The state is the field after the command name in brackets.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

// stopBackground sends SIGTERM to the background sandbox and waits up to
// 10s for it to exit.
func stopBackground(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("sending SIGTERM to the background sandbox %d: %v", pid, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the background sandbox %d did not exit within 10s of SIGTERM", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitForExports waits up to 10s for the four export lines in path.
func waitForExports(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil && strings.Count(string(data), "\n") >= 4 {
			return string(data)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %q after 10s, want four export lines", path, data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkAdminIdentity calls GetCallerIdentity with the exported endpoint and
// credentials, which must be the management account's administrator.
func checkAdminIdentity(t *testing.T, env map[string]string) {
	t.Helper()
	for _, name := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		if env[name] == "" {
			t.Fatalf("the exports lack %s: got %v", name, mapKeys(env))
		}
	}
	if !strings.HasPrefix(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:") {
		t.Fatalf("AWS_ENDPOINT_URL = %q, want a loopback endpoint", env["AWS_ENDPOINT_URL"])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	served := &servedSandbox{Env: env}
	identity, err := sts.NewFromConfig(served.config()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the exported credentials: %v", err)
	}
	if arn := *identity.Arn; !strings.HasSuffix(arn, ":user/admin") {
		t.Errorf("caller ARN: got %s, want the administrator user/admin", arn)
	}
}

func mapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// checkStopsOnSignal sends SIGTERM to a foreground serve and checks that it
// exits with status 0 within 10s.
func checkStopsOnSignal(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("sending SIGTERM to serve: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: got %v, want exit status 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("serve did not exit within 10s of SIGTERM")
	}
}
