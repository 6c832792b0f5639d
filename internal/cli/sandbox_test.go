package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// lockedBuffer is a bytes.Buffer safe for the server goroutine's writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// servedSandbox is a `sandbox serve` command running in the test process.
type servedSandbox struct {
	Env    map[string]string // the exported variables
	Lines  []string          // the first four lines of stdout, as printed
	Stderr *lockedBuffer
	// Stop cancels the command and waits for it to return; the test's
	// cleanup calls it too.
	Stop func()
}

// startServe runs `orgstrap sandbox serve` with args until the test ends and
// returns what it printed first.
func startServe(t *testing.T, args ...string) *servedSandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stdoutWriter := io.Pipe()
	stderr := &lockedBuffer{}
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: stdoutWriter, Err: stderr})
	root.SetArgs(append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0"}, args...))

	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		stdoutWriter.CloseWithError(errors.New("serve returned"))
		done <- err
	}()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("sandbox serve returned %v after cancel, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("sandbox serve did not stop within 10s of cancel")
			}
		})
	}
	t.Cleanup(stop)

	served := &servedSandbox{Env: map[string]string{}, Stderr: stderr, Stop: stop}
	scanner := bufio.NewScanner(stdout)
	assignment := regexp.MustCompile(`([A-Z_]+)=(\S+)`)
	for len(served.Lines) < 4 && scanner.Scan() {
		line := scanner.Text()
		served.Lines = append(served.Lines, line)
		if !strings.HasPrefix(line, "export ") {
			continue
		}
		for _, m := range assignment.FindAllStringSubmatch(line, -1) {
			served.Env[m[1]] = m[2]
		}
	}
	if len(served.Lines) < 4 {
		t.Fatalf("sandbox serve printed %q, want four export lines; stderr: %s", served.Lines, stderr)
	}
	go io.Copy(io.Discard, stdout)
	return served
}

func (s *servedSandbox) config() aws.Config {
	return aws.Config{
		Region:       s.Env["AWS_REGION"],
		BaseEndpoint: aws.String(s.Env["AWS_ENDPOINT_URL"]),
		Credentials: credentials.NewStaticCredentialsProvider(
			s.Env["AWS_ACCESS_KEY_ID"], s.Env["AWS_SECRET_ACCESS_KEY"], ""),
	}
}

func TestSandboxServePrintsEnvironment(t *testing.T) {
	served := startServe(t)
	patterns := []string{
		`^export AWS_ENDPOINT_URL=http://127\.0\.0\.1:\d+$`,
		`^export AWS_ACCESS_KEY_ID=AKIA[A-Z0-9]{16}$`,
		`^export AWS_SECRET_ACCESS_KEY=\S{20,}$`,
		`^export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1$`,
	}
	for i, pattern := range patterns {
		if !regexp.MustCompile(pattern).MatchString(served.Lines[i]) {
			t.Errorf("stdout line %d = %q, want a match for %s", i+1, served.Lines[i], pattern)
		}
	}

	ctx := context.Background()
	identity, err := sts.NewFromConfig(served.config()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity against sandbox serve: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(identity.Arn), ":user/admin") {
		t.Errorf("caller ARN = %s, want the admin user", aws.ToString(identity.Arn))
	}

	// The request log is on stderr and carries no secret.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(served.Stderr.String(), "GetCallerIdentity") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	log := served.Stderr.String()
	if !strings.Contains(log, "action=GetCallerIdentity") {
		t.Errorf("stderr %q has no record of the GetCallerIdentity request", log)
	}
	if strings.Contains(log, served.Env["AWS_SECRET_ACCESS_KEY"]) {
		t.Errorf("stderr contains the secret access key")
	}
}

func TestSandboxServeStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()

	first := startServe(t, "--state", path)
	created, err := organizations.NewFromConfig(first.config()).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}

	// A second server on the same state is rejected while the first runs.
	var stdout, stderr bytes.Buffer
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
	root.SetArgs([]string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--state", path})
	if err := root.ExecuteContext(ctx); err == nil || !strings.Contains(err.Error(), "in use by another sandbox process") {
		t.Errorf("second serve on the same state: got %v, want an in-use error", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("rejected serve printed %q on stdout", stdout.String())
	}

	first.Stop()
	second := startServe(t, "--state", path)
	if second.Env["AWS_ACCESS_KEY_ID"] != first.Env["AWS_ACCESS_KEY_ID"] {
		t.Errorf("access key after restart = %s, want %s", second.Env["AWS_ACCESS_KEY_ID"], first.Env["AWS_ACCESS_KEY_ID"])
	}
	described, err := organizations.NewFromConfig(second.config()).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("DescribeOrganization on the second server: %v", err)
	}
	if got, want := aws.ToString(described.Organization.Id), aws.ToString(created.Organization.Id); got != want {
		t.Errorf("organization after restart = %s, want %s", got, want)
	}
}

// runCommand runs orgstrap with args and returns stdout, stderr and the error.
func runCommand(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := NewRootCommand(Streams{In: strings.NewReader(stdin), Out: &stdout, Err: &stderr})
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return stdout.String(), stderr.String(), err
}

func TestSandboxServeRejectsAddresses(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"0.0.0.0:4566", "only on a loopback address"},
		{":4566", "only on a loopback address"},
		{"192.0.2.1:4566", "only on a loopback address"},
		{"127.0.0.1", "invalid --addr"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			stdout, _, err := runCommand(t, "", "sandbox", "serve", "--addr", tt.addr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if Hint(err) == "" {
				t.Errorf("error %v has no hint", err)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing printed", stdout)
			}
		})
	}
}

func TestSandboxServeCorruptState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCommand(t, "", "sandbox", "serve", "--addr", "127.0.0.1:0", "--state", path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("got error %v, want one naming %s", err, path)
	}
	if hint := Hint(err); !strings.Contains(hint, "orgstrap sandbox reset") {
		t.Errorf("hint = %q, want advice to run orgstrap sandbox reset", hint)
	}
}

func TestSandboxReset(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	path, err := defaultSandboxStatePath()
	if err != nil {
		t.Fatal(err)
	}
	write := func() {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	write()
	if _, _, err := runCommand(t, "n\n", "sandbox", "reset"); err == nil {
		t.Errorf("reset answered n: got no error, want a cancellation")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("reset answered n removed the state file: %v", err)
	}
	if _, _, err := runCommand(t, "", "sandbox", "reset"); err == nil {
		t.Errorf("reset with no answer: got no error, want a cancellation")
	}

	_, stderr, err := runCommand(t, "y\n", "sandbox", "reset")
	if err != nil {
		t.Fatalf("reset answered y: %v", err)
	}
	if !strings.Contains(stderr, "[y/N]") {
		t.Errorf("stderr %q has no prompt", stderr)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file after reset: %v, want it gone", err)
	}

	write()
	profiles := sandboxProfileFile(path)
	if err := os.WriteFile(profiles, []byte("[profile orgstrap-dev]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCommand(t, "", "sandbox", "reset", "--yes"); err != nil {
		t.Fatalf("reset --yes: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file after reset --yes: %v, want it gone", err)
	}
	if _, err := os.Stat(profiles); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sandbox AWS CLI profiles after reset --yes: %v, want them gone", err)
	}
	if _, stderr, err := runCommand(t, "", "sandbox", "reset", "--yes"); err != nil || !strings.Contains(stderr, "nothing to reset") {
		t.Errorf("reset without a state file: err %v, stderr %q; want success and nothing to reset", err, stderr)
	}

	custom := filepath.Join(t.TempDir(), "custom.json")
	t.Setenv(envSandboxState, custom)
	if err := os.WriteFile(custom, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCommand(t, "", "sandbox", "reset", "--yes"); err != nil {
		t.Fatalf("reset --yes with %s set: %v", envSandboxState, err)
	}
	if _, err := os.Stat(custom); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after reset: %v, want it gone", custom, err)
	}
}

func TestDefaultSandboxStatePath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if got, _ := defaultSandboxStatePath(); got != "/xdg/state/orgstrap/sandbox.json" {
		t.Errorf("with XDG_STATE_HOME: %s, want /xdg/state/orgstrap/sandbox.json", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/user")
	if got, _ := defaultSandboxStatePath(); got != "/home/user/.local/state/orgstrap/sandbox.json" {
		t.Errorf("without XDG_STATE_HOME: %s, want /home/user/.local/state/orgstrap/sandbox.json", got)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	if got, _ := defaultSandboxStatePath(); got != "/home/user/.local/state/orgstrap/sandbox.json" {
		t.Errorf("with a relative XDG_STATE_HOME: %s, want the HOME fallback", got)
	}
}

func TestLocalSandboxKeepsState(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	ctx := context.Background()
	g := &GlobalOptions{Sandbox: true, streams: Streams{Err: io.Discard}}

	first, err := g.AWSSession(ctx)
	if err != nil {
		t.Fatalf("first --sandbox session: %v", err)
	}
	if first.Config.Region != "us-east-1" || first.Config.BaseEndpoint == nil ||
		!strings.HasPrefix(*first.Config.BaseEndpoint, "http://127.0.0.1:") {
		t.Fatalf("session config region %q endpoint %v, want us-east-1 at 127.0.0.1", first.Config.Region, first.Config.BaseEndpoint)
	}
	created, err := organizations.NewFromConfig(first.Config).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	first.Close()
	if _, err := organizations.NewFromConfig(first.Config).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{},
		func(o *organizations.Options) { o.RetryMaxAttempts = 1 }); err == nil {
		t.Errorf("DescribeOrganization after Close succeeded, want the server stopped")
	}

	second, err := g.AWSSession(ctx)
	if err != nil {
		t.Fatalf("second --sandbox session: %v", err)
	}
	defer second.Close()
	described, err := organizations.NewFromConfig(second.Config).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("DescribeOrganization in the second session: %v", err)
	}
	if got, want := aws.ToString(described.Organization.Id), aws.ToString(created.Organization.Id); got != want {
		t.Errorf("organization in the second session = %s, want %s", got, want)
	}
}

func TestLocalSandboxEnvironment(t *testing.T) {
	t.Setenv(envSandboxCreateAccountDelay, "0s")
	t.Setenv(envSandboxThrottleRate, "0.5")
	t.Setenv(envSandboxAccountQuota, "4")
	t.Setenv(envSandboxEnforceIAM, "true")
	t.Setenv(envSandboxConsistencyDelay, "3s")
	opts, err := localSandboxOptions()
	if err != nil {
		t.Fatalf("localSandboxOptions: %v", err)
	}
	if opts.CreateAccountDelay >= 0 || opts.ThrottleRate != 0.5 || opts.AccountQuota != 4 ||
		!opts.EnforceIAM || opts.ConsistencyDelay != 3*time.Second {
		t.Errorf("options = %+v, want no create delay, rate 0.5, quota 4, enforced IAM, 3s consistency delay", opts)
	}

	t.Setenv(envSandboxThrottleRate, "2")
	t.Setenv(envSandboxAccountQuota, "many")
	_, err = localSandboxOptions()
	if err == nil || !strings.Contains(err.Error(), envSandboxThrottleRate) || !strings.Contains(err.Error(), envSandboxAccountQuota) {
		t.Errorf("got error %v, want one naming %s and %s", err, envSandboxThrottleRate, envSandboxAccountQuota)
	}
}
