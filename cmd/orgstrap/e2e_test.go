package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// tmuxSession drives one program in a detached tmux session on a private
// server socket, so the test leaves the user's tmux alone.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.tmux("capture-pane", "-p", "-t", "e2e") }

// send presses keys by tmux name (Enter, Up, Escape) and waits briefly,
// so that tmux does not merge an Escape with the next key.
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.tmux("send-keys", "-t", "e2e", k)
		time.Sleep(150 * time.Millisecond)
	}
}

func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "e2e", "-l", text)
	time.Sleep(150 * time.Millisecond)
}

func (s *tmuxSession) waitFor(text string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		screen := s.capture()
		if strings.Contains(screen, text) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %q; the screen shows:\n%s", timeout, text, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWizardEndToEnd builds orgstrap, runs `orgstrap --sandbox` in tmux at
// 100x30, walks the whole wizard with the defaults, then checks the
// summary on screen and the accounts and roles in the sandbox's state.
func TestWizardEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("this test drives the wizard in tmux, which is not installed: install tmux (.ci/run does)")
	}
	dir := t.TempDir()
	binary := filepath.Join(dir, "orgstrap")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("building orgstrap: %v\n%s", err, out)
	}
	home, state, work := filepath.Join(dir, "home"), filepath.Join(dir, "state"), filepath.Join(dir, "work")
	for _, d := range []string{home, state, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	awsConfig := filepath.Join(home, "aws-config")

	s := &tmuxSession{t: t, socket: fmt.Sprintf("orgstrap-e2e-%d", os.Getpid())}
	command := fmt.Sprintf("env -i PATH=%q TERM=xterm-256color HOME=%q XDG_STATE_HOME=%q AWS_CONFIG_FILE=%q "+
		"AWS_EC2_METADATA_DISABLED=true %q --sandbox; echo EXIT=$?; sleep 60", os.Getenv("PATH"), home, state, awsConfig, binary)
	s.tmux("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", "-c", work, command)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })

	start := time.Now()
	s.waitFor("What will happen", 15*time.Second)
	s.send("Enter")
	s.waitFor("Base email", 5*time.Second)
	s.typeText("aws@acme.test")
	s.waitFor("aws+prod@acme.test", 5*time.Second)
	s.send("Up", "Enter") // up from the base email wraps to Continue
	s.waitFor("Frameworks", 5*time.Second)
	s.send("Enter")
	s.waitFor("Who may assume", 5*time.Second)
	s.send("Enter")
	s.waitFor("Plan:", 15*time.Second)
	s.send("Enter")
	s.waitFor("(y/n)", 5*time.Second)
	s.send("y")
	s.waitFor("step 6 of 7: Apply", 5*time.Second)

	summary := s.waitFor("Next steps", 45*time.Second)
	for _, want := range []string{"Done.", "orgstrap.yaml", "profile  orgstrap-dev", "profile  orgstrap-prod",
		"role/orgstrap-deploy", "policy/orgstrap-boundary"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary screen lacks %q:\n%s", want, summary)
		}
	}
	s.send("Enter")
	after := s.waitFor("EXIT=", 10*time.Second)
	if !strings.Contains(after, "EXIT=0") {
		t.Errorf("orgstrap did not exit with 0:\n%s", after)
	}
	if want := "serverless deploy --stage prod --aws-profile orgstrap-prod"; !strings.Contains(after, want) {
		t.Errorf("the summary printed after exit lacks %q:\n%s", want, after)
	}
	t.Logf("wizard walked and applied in %s", time.Since(start).Round(100*time.Millisecond))

	// A second run finds the organization managed and in sync.
	s.tmux("kill-session", "-t", "e2e")
	s.tmux("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", "-c", work, command)
	managed := s.waitFor("orgstrap manages this organization", 15*time.Second)
	if strings.Count(managed, "in sync") != 2 {
		t.Errorf("the second run does not show both environments in sync:\n%s", managed)
	}
	// It rotates the deploy roles in place from the managed menu.
	s.send("Down", "Enter")
	s.waitFor("(•) in place", 15*time.Second)
	s.send("Enter")
	s.waitFor("Rotate these deploy roles? (y/n)", 5*time.Second)
	s.send("y")
	rotated := s.waitFor("Rotated the deploy roles in place", 30*time.Second)
	if strings.Count(rotated, "sessions issued before") != 2 {
		t.Errorf("the rotation result does not show both revocations:\n%s", rotated)
	}
	s.send("Enter")
	after = s.waitFor("EXIT=", 10*time.Second)
	if !strings.Contains(after, "EXIT=0") {
		t.Errorf("orgstrap did not exit with 0 after rotating:\n%s", after)
	}

	// With --sandbox the profiles go beside the sandbox state, and the
	// user's AWS config is left alone.
	checkFiles(t, work, filepath.Join(state, "orgstrap", "sandbox-aws-config"))
	if _, err := os.Stat(awsConfig); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("AWS_CONFIG_FILE %s: got %v, want it not written by a --sandbox run", awsConfig, err)
	}
	checkStatus(t, binary, work, []string{"HOME=" + home, "XDG_STATE_HOME=" + state, "AWS_CONFIG_FILE=" + awsConfig})
	checkSandboxState(t, filepath.Join(state, "orgstrap", "sandbox.json"))
}

// checkStatus runs `orgstrap status --sandbox --output json` on what the
// wizard built: both environments must have an account and a deployment
// role, and be in sync, so the wizard and the headless commands agree.
func checkStatus(t *testing.T, binary, work string, env []string) {
	t.Helper()
	cmd := exec.Command(binary, "status", "--sandbox", "--output", "json")
	cmd.Dir = work
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true"}, env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("orgstrap status: %v\n%s", err, out)
	}
	var status struct {
		Environments []struct {
			Name      string   `json:"name"`
			AccountID string   `json:"account_id"`
			Roles     []string `json:"roles"`
			Drift     string   `json:"drift"`
		} `json:"environments"`
	}
	if err := json.Unmarshal(out, &status); err != nil {
		t.Fatalf("decoding the status: %v\n%s", err, out)
	}
	if len(status.Environments) != 2 {
		t.Fatalf("status environments: got %d, want 2\n%s", len(status.Environments), out)
	}
	for _, e := range status.Environments {
		if e.AccountID == "" {
			t.Errorf("status of %s: no account id", e.Name)
		}
		if !slices.ContainsFunc(e.Roles, func(arn string) bool { return strings.HasSuffix(arn, ":role/orgstrap-deploy") }) {
			t.Errorf("status of %s: roles %v lack orgstrap-deploy", e.Name, e.Roles)
		}
		if e.Drift != "in-sync" {
			t.Errorf("status of %s: drift %q, want in-sync\n%s", e.Name, e.Drift, out)
		}
	}
}

func checkFiles(t *testing.T, work, awsConfig string) {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(work, "orgstrap.yaml"))
	if err != nil {
		t.Fatalf("reading the orgstrap.yaml the wizard wrote: %v", err)
	}
	for _, want := range []string{"email: aws+dev@acme.test", "email: aws+prod@acme.test", "access: restricted"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("orgstrap.yaml lacks %q:\n%s", want, cfg)
		}
	}
	profiles, err := os.ReadFile(awsConfig)
	if err != nil {
		t.Fatalf("reading the AWS CLI config: %v", err)
	}
	for _, want := range []string{"[profile orgstrap-dev]", "[profile orgstrap-prod]"} {
		if !strings.Contains(string(profiles), want) {
			t.Errorf("AWS CLI config lacks %s:\n%s", want, profiles)
		}
	}
	if strings.Contains(string(profiles), "aws_secret_access_key") {
		t.Errorf("AWS CLI config holds a secret:\n%s", profiles)
	}
}

// checkSandboxState loads the sandbox's state file and checks, with the
// SDK, that both accounts exist and each holds its deployment role.
func checkSandboxState(t *testing.T, statePath string) {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	_, cfg := sandboxtest.Start(t, sandbox.Options{StatePath: statePath})
	ctx := context.Background()
	out, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	accounts := map[string]string{}
	for _, a := range out.Accounts {
		accounts[aws.ToString(a.Email)] = aws.ToString(a.Id)
	}
	for _, email := range []string{"aws+dev@acme.test", "aws+prod@acme.test"} {
		id, ok := accounts[email]
		if !ok {
			t.Errorf("no account with email %s in the sandbox: %v", email, accounts)
			continue
		}
		role := assumedIAM(t, cfg, id)
		got, err := role.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orgstrap-deploy")})
		if err != nil {
			t.Errorf("GetRole orgstrap-deploy in %s: %v", id, err)
			continue
		}
		if strings.HasSuffix(email, "prod@acme.test") && got.Role.PermissionsBoundary == nil {
			t.Errorf("the prod deployment role in %s has no permissions boundary", id)
		}
	}
}

// assumedIAM returns an IAM client in a member account, through its
// OrganizationAccountAccessRole.
func assumedIAM(t *testing.T, cfg aws.Config, accountID string) *iam.Client {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + accountID + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("e2e"),
	})
	if err != nil {
		t.Fatalf("AssumeRole into %s: %v", accountID, err)
	}
	c := out.Credentials
	member := sandboxtest.Config(aws.ToString(cfg.BaseEndpoint), aws.ToString(c.AccessKeyId),
		aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return iam.NewFromConfig(member)
}
