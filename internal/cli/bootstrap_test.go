package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

const cliConfig = `version: 1
organization:
  create: true
environments:
  - name: dev
    email: aws+dev@example.com
    ou: Workloads/Dev
    access: broad
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1]
`

// cliSandbox starts a sandbox, points the environment's credentials and
// AWS config file at it, and writes the config file.
type cliSandbox struct {
	sb       *sandbox.Sandbox
	endpoint string
	dir      string
	config   string
}

func startCLISandbox(t *testing.T, configText string) *cliSandbox {
	t.Helper()
	c, _ := startCLISandboxWith(t, configText, sandbox.Options{})
	return c
}

// startCLISandboxWith is startCLISandbox with sandbox options, returning
// the administrator's aws.Config too. The create-account delay defaults to
// 100 ms.
func startCLISandboxWith(t *testing.T, configText string, opts sandbox.Options) (*cliSandbox, aws.Config) {
	t.Helper()
	if opts.CreateAccountDelay == 0 {
		opts.CreateAccountDelay = 100 * time.Millisecond
	}
	sb, cfg := sandboxtest.Start(t, opts)
	dir := t.TempDir()
	keyID, secret := sb.AdminCredentials()
	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	c := &cliSandbox{sb: sb, endpoint: aws.ToString(cfg.BaseEndpoint), dir: dir, config: filepath.Join(dir, "orgstrap.yaml")}
	if err := os.WriteFile(c.config, []byte(configText), 0o644); err != nil {
		t.Fatal(err)
	}
	return c, cfg
}

// run executes orgstrap with args against the sandbox and returns stdout,
// stderr and the error.
func (c *cliSandbox) run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
	root.SetArgs(append([]string{"--endpoint-url", c.endpoint}, args...))
	err := root.ExecuteContext(context.Background())
	return stdout.String(), stderr.String(), err
}

func mutatingCalls(calls map[string]int) map[string]int {
	mutating := map[string]int{}
	for call, n := range calls {
		_, action, _ := strings.Cut(call, ":")
		read := call == "sts:AssumeRole"
		for _, p := range []string{"Get", "List", "Describe", "Simulate"} {
			read = read || strings.HasPrefix(action, p)
		}
		if !read {
			mutating[call] = n
		}
	}
	return mutating
}

func TestPlanApplyStatusThroughCLI(t *testing.T) {
	c := startCLISandbox(t, cliConfig)

	_, _, err := c.run(t, "plan", "--config", c.config, "--detailed-exitcode")
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 2 {
		t.Fatalf("plan --detailed-exitcode before apply: got %v, want exit code 2", err)
	}

	out, _, err := c.run(t, "plan", "--config", c.config, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var planned struct {
		Changes []struct{ Kind, Action string }
	}
	if err := json.Unmarshal([]byte(out), &planned); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	if len(planned.Changes) == 0 || planned.Changes[0].Kind != "organization" {
		t.Errorf("plan JSON: got %+v, want the organization first", planned.Changes)
	}

	if _, _, err := c.run(t, "apply", "--config", c.config); err == nil || !strings.Contains(Hint(err), "--yes") {
		t.Errorf("apply without --yes on a non-terminal: got %v (hint %q), want a hint to pass --yes", err, Hint(err))
	}
	if calls := mutatingCalls(c.sb.Calls()); len(calls) != 0 {
		t.Errorf("unconfirmed apply made mutating calls: %v", calls)
	}

	out, stderr, err := c.run(t, "apply", "--config", c.config, "--yes")
	if err != nil {
		t.Fatalf("apply --yes: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "create account dev") || !strings.Contains(stderr, "Apply complete") {
		t.Errorf("apply output:\n%s\nstderr:\n%s", out, stderr)
	}

	if _, _, err := c.run(t, "plan", "--config", c.config, "--detailed-exitcode"); err != nil {
		t.Errorf("plan --detailed-exitcode after apply: got %v, want exit code 0", err)
	}
	out, _, err = c.run(t, "status", "--config", c.config, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Environments []struct {
			Name, Drift string
			AccountID   string `json:"account_id"`
		}
	}
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	if len(status.Environments) != 1 || status.Environments[0].Drift != "in-sync" || status.Environments[0].AccountID == "" {
		t.Errorf("status: got %+v, want dev in-sync with an account id", status.Environments)
	}

	profiles, err := os.ReadFile(filepath.Join(c.dir, "aws-config"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(profiles), "[profile orgstrap-dev]") || !strings.Contains(string(profiles), "credential_source = Environment") {
		t.Errorf("AWS config:\n%s", profiles)
	}
}

func TestBadConfigChangesNothing(t *testing.T) {
	tests := []struct {
		name string
		old  string
		new  string
		want string
	}{
		{"unknown field", "    access: broad", "    access: broad\n    colour: blue", "orgstrap.yaml:9: environments[0].colour"},
		{"bad email", "aws+dev@example.com", "dev-at-example", "invalid email"},
		{"unknown profile", "[serverless-framework]", "[no-such-profile]", "unknown profile"},
		{"bad region", "[us-east-1]", "[moon-1]", "invalid region"},
		{"bad duration", "regions: [us-east-1]", "regions: [us-east-1]\ntrust:\n  max_session_duration: 20h", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCLISandbox(t, strings.Replace(cliConfig, tt.old, tt.new, 1))
			_, _, err := c.run(t, "apply", "--config", c.config, "--yes")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("apply: got %v, want an error containing %q", err, tt.want)
			}
			if Hint(err) == "" {
				t.Errorf("error has no hint")
			}
			if calls := c.sb.Calls(); len(calls) != 0 {
				t.Errorf("rejected config made calls: %v", calls)
			}
		})
	}
}

func TestEnvAddThenApplyCreatesOnlyIt(t *testing.T) {
	c := startCLISandbox(t, "# keep me\n"+cliConfig)
	if _, stderr, err := c.run(t, "apply", "--config", c.config, "--yes"); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr)
	}
	_, _, err := c.run(t, "env", "add", "prod", "--config", c.config, "--email", "aws+prod@example.com", "--access", "restricted", "--ou", "Workloads/Prod")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(c.config)
	if !strings.Contains(string(data), "# keep me") || !strings.Contains(string(data), "name: prod") {
		t.Errorf("config after env add:\n%s", data)
	}

	c.sb.ResetCalls()
	if _, stderr, err := c.run(t, "apply", "--config", c.config, "--yes"); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr)
	}
	if got := c.sb.Calls()["organizations:CreateAccount"]; got != 1 {
		t.Errorf("CreateAccount calls: got %d, want 1", got)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		var out bytes.Buffer
		root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &out, Err: &out})
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(out.String(), "orgstrap") {
			t.Errorf("completion %s does not mention orgstrap", shell)
		}
	}
}

func TestConfigLibraryAndVariables(t *testing.T) {
	profiles, err := filepath.Abs(filepath.Join("testdata", "custom-profiles"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(cliConfig, "profiles: [serverless-framework]",
		"profiles: [custom-app]\n  library: [profiles]\n  variables: {prefix: team}", 1)
	text = strings.Replace(text, "access: broad", "access: restricted", 1)
	c := startCLISandbox(t, text)
	// deployment.library is relative to the config file's directory.
	if err := os.Symlink(profiles, filepath.Join(c.dir, "profiles")); err != nil {
		t.Fatal(err)
	}

	out, stderr, err := c.run(t, "plan", "--config", c.config, "--output", "json")
	if err != nil {
		t.Fatalf("plan with a config library: %v\n%s", err, stderr)
	}
	if want := "function:team-orders-dev-*"; !strings.Contains(out, want) {
		t.Errorf("plan JSON lacks the variable's resource %q:\n%s", want, out)
	}

	// Without the directory the profile is unknown, and the error names
	// the field and line.
	if err := os.Remove(filepath.Join(c.dir, "profiles")); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.run(t, "plan", "--config", c.config)
	if err == nil || !strings.Contains(err.Error(), "deployment.library") {
		t.Errorf("plan with a missing library directory: got %v, want an error on deployment.library", err)
	}

	// --library adds a directory on the command line.
	noLibrary := strings.Replace(text, "  library: [profiles]\n", "", 1)
	if err := os.WriteFile(c.config, []byte(noLibrary), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := c.run(t, "plan", "--config", c.config, "--library", profiles); err != nil {
		t.Errorf("plan --library: %v\n%s", err, stderr)
	}
	_, _, err = c.run(t, "plan", "--config", c.config)
	if err == nil || !strings.Contains(err.Error(), `unknown profile "custom-app"`) {
		t.Errorf("plan without the library: got %v, want unknown profile custom-app", err)
	}
	if calls := mutatingCalls(c.sb.Calls()); len(calls) != 0 {
		t.Errorf("plans made mutating calls: %v", calls)
	}
}

func TestDebugLogsCallsWithoutSecrets(t *testing.T) {
	c := startCLISandbox(t, cliConfig)
	_, stderr, err := c.run(t, "plan", "--config", c.config, "--debug")
	if err != nil {
		t.Fatalf("plan --debug: %v\n%s", err, stderr)
	}
	for _, want := range []string{"aws call", "operation=GetCallerIdentity", "service=Organizations"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("plan --debug stderr lacks %q:\n%s", want, stderr)
		}
	}
	_, secret := c.sb.AdminCredentials()
	if strings.Contains(stderr, secret) {
		t.Errorf("plan --debug printed the secret access key")
	}
}

func TestSandboxRejectsEndpointAndProfile(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, args := range [][]string{
		{"status", "--sandbox", "--profile", "prod-admin"},
		{"status", "--sandbox", "--endpoint-url", "http://127.0.0.1:1"},
	} {
		var stdout, stderr bytes.Buffer
		root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
		root.SetArgs(args)
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), "--sandbox cannot be combined") {
			t.Errorf("%v: got %v, want an error naming the conflict", args, err)
		}
	}
}

func TestPlanUnreachableEndpoint(t *testing.T) {
	c := startCLISandbox(t, cliConfig)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + listener.Addr().String()
	listener.Close()

	var stdout, stderr bytes.Buffer
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
	root.SetArgs([]string{"--endpoint-url", closed, "plan", "--config", c.config})
	err = withFix(root.ExecuteContext(context.Background()))
	if err == nil {
		t.Fatal("plan against a closed port: got no error")
	}
	if hint := Hint(err); !strings.Contains(hint, "could not be reached") || !strings.Contains(hint, "--endpoint-url") {
		t.Errorf("hint = %q, want it to say the endpoint could not be reached", hint)
	}
}
