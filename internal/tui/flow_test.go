package tui

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// TestWizardFlow walks the whole wizard on the sandbox at 80x24 and
// compares each screen with its golden file (go test -update rewrites
// them).
func TestWizardFlow(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{})
	d := newDriver(t, backend)

	d.waitFor("What will happen")
	t.Run("identity", func(t *testing.T) { requireGolden(t, d.screen()) })

	d.key("enter")
	d.waitFor("Base email")
	d.key("aws@acme.test")
	t.Run("environments", func(t *testing.T) { requireGolden(t, d.screen()) })

	// Edit prod: rename it to production; the suggested email follows.
	d.keys("down", "down", "enter")
	d.waitFor("Environment 2")
	t.Run("environment form", func(t *testing.T) { requireGolden(t, d.screen()) })
	d.keys("ctrl+u", "production", "enter")
	d.waitFor("aws+production@acme.test")
	if got := d.m.w.draft.Environments[1].AccountName; got != "acme-production" {
		t.Errorf("account name after the rename: got %q, want acme-production", got)
	}

	d.keys("down", "enter")
	d.waitFor("Frameworks")
	t.Run("deployment", func(t *testing.T) { requireGolden(t, d.screen()) })
	// Choose aws-sam too, and set the services.
	d.keys("down", "space", "down", "down", "down", "ctrl+u", "orders", "enter")
	d.waitFor("Who may assume")
	t.Run("trust", func(t *testing.T) { requireGolden(t, d.screen()) })
	d.keys("down", "down", "acme/orders", "down", "main", "enter")

	d.waitFor("Plan:")
	t.Run("review", func(t *testing.T) { requireGolden(t, d.screen()) })
	d.keys("enter", "y")

	d.waitFor("Next steps")
	t.Run("summary", func(t *testing.T) { requireGolden(t, d.screen()) })
	d.key("enter")
	if !d.quit {
		t.Errorf("enter on the summary did not quit")
	}

	checkWritten(t, backend, sb)
}

// checkWritten checks the config file and the accounts the flow made.
func checkWritten(t *testing.T, backend *EngineBackend, sb *sandbox.Sandbox) {
	t.Helper()
	cfg, err := config.Load(backend.ConfigPath, config.Options{Profiles: backend.Library.Names()})
	if err != nil {
		t.Fatalf("loading the written config: %v", err)
	}
	var names []string
	for _, env := range cfg.Environments {
		names = append(names, env.Name+"="+env.Email)
	}
	if got, want := strings.Join(names, " "), "dev=aws+dev@acme.test production=aws+production@acme.test"; got != want {
		t.Errorf("environments written: got %s, want %s", got, want)
	}
	if got, want := strings.Join(cfg.Deployment.Profiles, ","), "aws-sam,serverless-framework"; got != want {
		t.Errorf("profiles written: got %s, want %s", got, want)
	}
	if gh := cfg.Trust.GitHub; gh == nil || gh.Repository != "acme/orders" || strings.Join(gh.Branches, ",") != "main" {
		t.Errorf("GitHub trust written: got %+v, want acme/orders on main", gh)
	}

	client := organizations.NewFromConfig(backend.AWS)
	out, err := client.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	emails := map[string]bool{}
	for _, a := range out.Accounts {
		emails[aws.ToString(a.Email)] = true
	}
	for _, want := range []string{"aws+dev@acme.test", "aws+production@acme.test"} {
		if !emails[want] {
			t.Errorf("no account with email %s in the sandbox; accounts: %v", want, emails)
		}
	}
	if got := sb.Calls()["organizations:CreateAccount"]; got != 2 {
		t.Errorf("CreateAccount calls: got %d, want 2", got)
	}
	profiles, err := os.ReadFile(backend.Options.ProfileFile)
	if err != nil {
		t.Fatalf("reading the AWS CLI config: %v", err)
	}
	for _, want := range []string{"[profile orgstrap-dev]", "[profile orgstrap-production]"} {
		if !strings.Contains(string(profiles), want) {
			t.Errorf("AWS CLI config lacks %s:\n%s", want, profiles)
		}
	}
}
