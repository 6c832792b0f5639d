package tui

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

const managedConfig = `# Our organization.
version: 1
organization:
  create: true
environments:
  - name: dev
    account_name: acme-dev
    email: aws+dev@acme.test
    ou: Workloads/Dev
    access: broad
  - name: prod
    account_name: acme-prod
    email: aws+prod@acme.test
    ou: Workloads/Prod
    access: restricted
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1]
`

// applyConfig writes text to the backend's config file and applies it,
// as an earlier run of orgstrap would have.
func applyConfig(t *testing.T, b *EngineBackend, text string) {
	t.Helper()
	if err := os.WriteFile(b.ConfigPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(b.ConfigPath, config.Options{Profiles: b.Library.Names()})
	if err != nil {
		t.Fatalf("loading the test config: %v", err)
	}
	events := make(chan Event, 1024)
	if _, err := b.Apply(context.Background(), cfg, events); err != nil {
		t.Fatalf("applying the test config: %v", err)
	}
}

func TestManagedAddEnvironment(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{})
	applyConfig(t, backend, managedConfig)
	created := sb.Calls()["organizations:CreateAccount"]

	d := newDriver(t, backend)
	d.waitFor("orgstrap manages this organization")
	t.Run("identity", func(t *testing.T) { requireGolden(t, d.screen()) })

	d.key("enter")
	d.waitFor("staging")
	t.Run("environments", func(t *testing.T) { requireGolden(t, d.screen()) })

	// The existing environments cannot be removed in this flow.
	d.keys("up", "d")
	d.waitFor("exists already")
	if got := len(d.m.w.draft.Environments); got != 3 {
		t.Fatalf("environments after d on an existing one: got %d, want 3", got)
	}

	d.keys("down", "down", "enter")
	view := d.waitFor("Plan:")
	if !strings.Contains(view, "create account acme-staging") {
		t.Errorf("the plan does not create the staging account:\n%s", view)
	}
	d.keys("enter", "y")
	d.waitFor("Next steps")

	if got := sb.Calls()["organizations:CreateAccount"] - created; got != 1 {
		t.Errorf("CreateAccount calls for the added environment: got %d, want 1", got)
	}
	data, err := os.ReadFile(backend.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# Our organization.") {
		t.Errorf("adding an environment lost the file's comment:\n%s", data)
	}
	if !strings.Contains(string(data), "email: aws+staging@acme.test") {
		t.Errorf("the config lacks the staging environment:\n%s", data)
	}
	if strings.Contains(string(data), "stage:") {
		t.Errorf("the default stage was written out:\n%s", data)
	}
}

func TestManagedRepairDrift(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{})
	applyConfig(t, backend, managedConfig)

	d := newDriver(t, backend)
	d.waitFor("orgstrap manages this organization")
	if got, want := strings.Join(d.m.screen.(*identityScreen).actions, " | "),
		strings.Join([]string{actionAdd, actionRotate, actionRepair, actionEdit}, " | "); got != want {
		t.Errorf("managed actions: got %s, want %s", got, want)
	}
	d.keys("down", "down", "enter")
	d.waitFor("AWS matches the config already")

	sb.ResetCalls()
	d.keys("enter", "y")
	d.waitFor("Next steps")
	for call, n := range sb.Calls() {
		if !isReadCall(call) {
			t.Errorf("repairing a converged organization made %d %s calls", n, call)
		}
	}
}

func isReadCall(call string) bool {
	_, action, _ := strings.Cut(call, ":")
	for _, prefix := range []string{"Get", "List", "Describe", "Simulate", "AssumeRole"} {
		if strings.HasPrefix(action, prefix) {
			return true
		}
	}
	return false
}

func TestCancelApply(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{CreateAccountDelay: 3 * time.Second})
	applyCfg := strings.Replace(managedConfig, "# Our organization.\n", "", 1)
	if err := os.WriteFile(backend.ConfigPath, []byte(applyCfg), 0o644); err != nil {
		t.Fatal(err)
	}

	d := newDriver(t, backend)
	d.waitFor("What will happen")
	d.key("enter")
	d.waitFor("Base email")
	d.keys("up", "enter")
	d.waitFor("Frameworks")
	d.key("enter")
	d.waitFor("Who may assume")
	d.key("enter")
	d.waitFor("Plan:")
	d.keys("enter", "y")
	d.waitFor("still being created")
	d.key("q")
	d.waitFor("Cancel the apply and quit?")
	d.key("y")
	deadline := time.Now().Add(20 * time.Second)
	for !d.quit && time.Now().Before(deadline) {
		d.drain()
	}
	if !d.quit {
		t.Fatalf("the wizard did not quit after the cancelled apply:\n%s", d.m.View())
	}
	if err := d.m.Err(); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("Err: got %v, want the apply cancelled", err)
	}
	if got := sb.Calls()["organizations:CreateAccount"]; got != 2 {
		t.Errorf("CreateAccount calls before the cancel: got %d, want 2", got)
	}
}

func TestApplyFailureShowsTheFix(t *testing.T) {
	// The quota counts the management account, so no member account fits.
	backend, _ := newTestBackend(t, sandbox.Options{AccountQuota: 1})
	d := newDriver(t, backend)
	d.waitFor("What will happen")
	d.key("enter")
	d.waitFor("Base email")
	d.keys("aws@acme.test", "up", "enter")
	d.waitFor("Frameworks")
	d.key("enter")
	d.waitFor("Who may assume")
	d.key("enter")
	d.waitFor("Plan:")
	d.keys("enter", "y")
	view := d.waitFor("The apply failed")
	// The log interleaves the environments in arrival order, so the golden
	// file leaves it out.
	logLines := regexp.MustCompile(`(?s)\nLog *\n.*?\n *\n`)
	t.Run("screen", func(t *testing.T) { requireGolden(t, logLines.ReplaceAllString(d.screen(), "\nLog\n\n")) })
	if !strings.Contains(view, "fix:") {
		t.Errorf("the failed environment shows no fix:\n%s", view)
	}
	if d.m.Err() == nil {
		t.Errorf("Err after a failed apply: got nil")
	}
	if d.m.SummaryText() != "" {
		t.Errorf("a failed apply printed a summary")
	}
}

// legacyConfig makes the member account that TestAdoptExistingAccount
// adopts for dev, once its orgstrap tags are removed.
const legacyConfig = `version: 1
organization:
  create: true
environments:
  - name: legacy
    account_name: acme-legacy
    email: aws+legacy@acme.test
    access: broad
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1]
`

func TestAdoptExistingAccount(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{})
	applyConfig(t, backend, legacyConfig)
	if err := os.Remove(backend.ConfigPath); err != nil {
		t.Fatal(err)
	}
	// Without its tags the account is one orgstrap does not manage, which
	// the wizard offers for adoption but does not start from.
	untagAccount(t, backend, "aws+legacy@acme.test")
	created := sb.Calls()["organizations:CreateAccount"]

	d := newDriver(t, backend)
	d.waitFor("What will happen")
	d.key("enter")
	d.waitFor("Base email")
	d.keys("aws@acme.test", "down", "enter")
	d.waitFor("Environment 1")
	d.keys("tab", "tab", "tab", "tab", "tab", "right")
	view := d.waitFor("acme-legacy")
	if !strings.Contains(view, "aws+legacy@acme.test") {
		t.Errorf("the adopt choice does not show the account's email:\n%s", view)
	}
	d.key("enter")
	d.waitFor("adopt ")
	dev := d.m.w.draft.Environments[0]
	if dev.AccountID == "" || dev.AccountName != "acme-legacy" || dev.Email != "aws+legacy@acme.test" {
		t.Fatalf("dev after adopting: got %+v, want the legacy account's id, name and email", dev)
	}

	d.keys("down", "down", "enter")
	d.waitFor("Frameworks")
	d.key("enter")
	d.waitFor("Who may assume")
	d.key("enter")
	d.waitFor("Plan:")
	d.keys("enter", "y")
	d.waitFor("Next steps")
	if got := sb.Calls()["organizations:CreateAccount"] - created; got != 1 {
		t.Errorf("CreateAccount calls: got %d, want 1 (prod only; dev adopts)", got)
	}
	if got := d.m.Result().Environments[0].AccountID; got != dev.AccountID {
		t.Errorf("dev account after apply: got %s, want the adopted %s", got, dev.AccountID)
	}
}

func TestInvalidConfigFileShown(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{})
	if err := os.WriteFile(backend.ConfigPath, []byte("version: 1\nenvironments: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, backend)
	view := d.waitFor("Nothing was changed")
	for _, want := range []string{"invalid config", "no environments", "Fix: fix orgstrap.yaml"} {
		if !strings.Contains(view, want) {
			t.Errorf("the screen lacks %q:\n%s", want, view)
		}
	}
	d.key("enter")
	if d.m.id != screenIdentity {
		t.Errorf("enter after the error moved to %s", screenTitles[d.m.id])
	}
	if n := len(sb.Calls()); n != 0 {
		t.Errorf("an invalid config still made %d kinds of AWS calls: %v", n, sb.Calls())
	}
}
