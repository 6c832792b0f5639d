package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/google/go-cmp/cmp"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

func TestSuggestEmail(t *testing.T) {
	tests := []struct{ name, base, env, want string }{
		{"plain", "aws@example.com", "dev", "aws+dev@example.com"},
		{"existing tag replaced", "aws+root@example.com", "prod", "aws+prod@example.com"},
		{"spaces trimmed", "  ops@acme.test ", "qa", "ops+qa@acme.test"},
		{"no at sign", "example.com", "dev", ""},
		{"empty local part", "@example.com", "dev", ""},
		{"empty", "", "dev", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suggestEmail(tt.base, tt.env); got != tt.want {
				t.Errorf("suggestEmail(%q, %q): got %q, want %q", tt.base, tt.env, got, tt.want)
			}
		})
	}
}

func TestSuggestAccountName(t *testing.T) {
	tests := []struct{ base, env, want string }{
		{"aws@acme.test", "dev", "acme-dev"},
		{"aws@mail.acme.test", "prod", "mail-prod"},
		{"", "dev", "dev"},
	}
	for _, tt := range tests {
		if got := suggestAccountName(tt.base, tt.env); got != tt.want {
			t.Errorf("suggestAccountName(%q, %q): got %q, want %q", tt.base, tt.env, got, tt.want)
		}
	}
}

func TestGuessBaseEmail(t *testing.T) {
	envs := []config.Environment{{Name: "dev", Email: "team+dev@acme.test"}}
	if got, want := guessBaseEmail(envs), "team@acme.test"; got != want {
		t.Errorf("guessBaseEmail: got %q, want %q", got, want)
	}
	if got := guessBaseEmail(nil); got != "" {
		t.Errorf("guessBaseEmail(nil): got %q, want empty", got)
	}
}

func TestFreeName(t *testing.T) {
	envs := []config.Environment{{Name: "dev"}, {Name: "staging"}, {Name: "test"}, {Name: "qa"}}
	if got, want := freeName(envs), "env4"; got != want {
		t.Errorf("freeName: got %q, want %q", got, want)
	}
	if got, want := freeName(envs[:1]), "staging"; got != want {
		t.Errorf("freeName: got %q, want %q", got, want)
	}
}

// TestEncodeConfigRoundTrip checks that what the wizard writes parses back
// into the same config.
func TestEncodeConfigRoundTrip(t *testing.T) {
	caller := false
	cfg := newDraft([]Framework{{Name: "aws-sam"}, {Name: "serverless-framework"}})
	cfg.Environments[0].Email = "aws+dev@acme.test"
	cfg.Environments[1].Email = "aws+prod@acme.test"
	cfg.Environments[1].AccountID = "012345678901"
	cfg.Trust = config.Trust{Caller: &caller, RoleARNs: []string{"arn:aws:iam::111122223333:role/ci"},
		GitHub:     &config.GitHub{Repository: "acme/orders", Environments: []string{"prod"}},
		ExternalID: "0042", MaxSessionDuration: "2h"}
	cfg.Deployment.Library = []string{"profiles"}
	cfg.Deployment.Variables = map[string]string{"qualifier": "0042ab", "prefix": "team"}

	data, err := encodeConfig(cfg)
	if err != nil {
		t.Fatalf("encodeConfig: %v", err)
	}
	parsed, err := config.Parse("orgstrap.yaml", data, config.Options{})
	if err != nil {
		t.Fatalf("parsing the encoded config: %v\n%s", err, data)
	}
	parsed.Path = ""
	want := cloneConfig(cfg)
	for i := range want.Environments {
		want.Environments[i].Stage = want.Environments[i].Name
		want.Environments[i].AccountName = want.Environments[i].Name
	}
	want.Trust.SessionDuration = parsed.Trust.SessionDuration
	write := true // the file states the default explicitly
	want.AWSProfiles.Write = &write
	if diff := cmp.Diff(want, parsed); diff != "" {
		t.Errorf("round trip changed the config (-want +got):\n%s\n%s", diff, data)
	}
	if !strings.Contains(string(data), `account_id: "012345678901"`) {
		t.Errorf("account id not quoted, so YAML would read it as a number:\n%s", data)
	}
}

func TestCheckDraftFiltersByPrefix(t *testing.T) {
	cfg := newDraft(nil)
	cfg.Environments[0].Email = "not-an-email"
	cfg.Environments[1].Email = "aws+prod@acme.test"
	_, problems, err := checkDraft(cfg, nil, "environments")
	if err != nil {
		t.Fatalf("checkDraft: %v", err)
	}
	if len(problems) != 1 || problems[0].Path != "environments[0].email" {
		t.Fatalf("problems: got %+v, want one on environments[0].email", problems)
	}
	_, problems, _ = checkDraft(cfg, nil, "trust")
	if len(problems) != 0 {
		t.Errorf("trust problems: got %+v, want none", problems)
	}
}

// newScreenModel returns a model whose discovery has been delivered as a
// message, with no backend call made: these tests exercise the screens.
func newScreenModel(t *testing.T, d *Discovery) *Model {
	t.Helper()
	backend, _ := newTestBackend(t, sandbox.Options{})
	m := NewModel(context.Background(), backend)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(discoveredMsg{discovery: d})
	return m
}

var newOrgDiscovery = &Discovery{
	CallerARN: "arn:aws:iam::111122223333:user/admin", CallerAccount: "111122223333",
	PrincipalARN: "arn:aws:iam::111122223333:user/admin", ConfigPath: "orgstrap.yaml",
}

func press(m *Model, k tea.KeyMsg) tea.Cmd {
	_, cmd := m.Update(k)
	return cmd
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestQuitKeys(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	if cmd := press(m, runes("q")); cmd == nil || cmd() != tea.Quit() {
		t.Errorf("q on the identity screen did not quit")
	}

	m.Update(navigateMsg{screenEnvironments})
	if cmd := press(m, runes("q")); cmd != nil && cmd() == tea.Quit() {
		t.Errorf("q in the base email field quit instead of typing")
	}
	if got := m.w.baseEmail; got != "q" {
		t.Errorf("base email after typing q: got %q, want %q", got, "q")
	}
	// The settings are not saved yet, so quitting needs a confirmation.
	if cmd := press(m, tea.KeyMsg{Type: tea.KeyCtrlC}); cmd != nil {
		t.Errorf("ctrl+c on the environments screen returned a command; want only the question")
	}
	if !strings.Contains(m.View(), unsavedQuestion) {
		t.Errorf("ctrl+c on the environments screen did not ask:\n%s", m.View())
	}
	if cmd := press(m, runes("y")); cmd == nil || cmd() != tea.Quit() {
		t.Errorf("y to the quit question did not quit")
	}
}

func TestQuitWhileApplyingAsksFirst(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	m.w.valid = m.w.draft
	canceled := false
	apply := newApplyScreen(m.w)
	apply.running, apply.cancel = true, func() { canceled = true }
	m.id, m.screen = screenApply, apply

	if cmd := press(m, runes("q")); cmd != nil {
		t.Errorf("q while applying returned a command; want only the question")
	}
	if !strings.Contains(m.View(), "Cancel the apply and quit?") {
		t.Fatalf("no quit question on screen:\n%s", m.View())
	}
	press(m, runes("n"))
	if m.confirming || canceled {
		t.Errorf("n: confirming %v, canceled %v; want both false", m.confirming, canceled)
	}

	press(m, tea.KeyMsg{Type: tea.KeyCtrlC})
	if cmd := press(m, runes("y")); cmd != nil {
		t.Errorf("y returned a command before the apply stopped")
	}
	if !canceled {
		t.Fatalf("y did not cancel the apply")
	}
	_, cmd := m.Update(applyDoneMsg{err: context.Canceled})
	if cmd == nil {
		t.Fatalf("the end of the cancelled apply did not quit")
	}
	if err := m.Err(); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("Err after cancelling: got %v, want an apply cancelled error", err)
	}
}

func TestEnvironmentsAddRemove(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	m.Update(navigateMsg{screenEnvironments})
	for _, r := range "ops@acme.test" {
		press(m, runes(string(r)))
	}
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	press(m, runes("a"))
	envs := m.w.draft.Environments
	if len(envs) != 3 || envs[2].Name != "staging" || envs[2].Email != "ops+staging@acme.test" {
		t.Fatalf("after add: got %+v, want a third environment staging with ops+staging@acme.test", envs)
	}
	press(m, runes("d"))
	if got := len(m.w.draft.Environments); got != 2 {
		t.Errorf("after remove: got %d environments, want 2", got)
	}
	if got := m.w.draft.Environments[1].Email; got != "ops+prod@acme.test" {
		t.Errorf("prod email from the base: got %q, want ops+prod@acme.test", got)
	}
}

func TestEnvironmentFormRejectsInvalid(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	m.Update(navigateMsg{screenEnvironments})
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	s := m.screen.(*environmentsScreen)
	if s.editing == nil {
		t.Fatalf("enter on dev did not open the form")
	}
	press(m, tea.KeyMsg{Type: tea.KeyTab})
	press(m, tea.KeyMsg{Type: tea.KeyTab})
	press(m, runes("bad"))
	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	if s.editing == nil {
		t.Fatalf("an invalid email was saved")
	}
	if view := m.View(); !strings.Contains(view, "invalid email") {
		t.Errorf("no validation problem on screen:\n%s", view)
	}
	if got := m.w.draft.Environments[0].Email; got != "" {
		t.Errorf("draft email changed by a rejected form: got %q", got)
	}
	press(m, tea.KeyMsg{Type: tea.KeyEsc})
	if s.editing != nil {
		t.Errorf("esc did not close the form")
	}
}

func TestDeploymentNeedsAFramework(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	m.Update(navigateMsg{screenDeployment})
	s := m.screen.(*deploymentScreen)
	for name := range s.chosen {
		s.chosen[name] = false
	}
	if cmd := press(m, tea.KeyMsg{Type: tea.KeyEnter}); cmd != nil {
		t.Errorf("enter without a framework moved on")
	}
	if view := m.View(); !strings.Contains(view, "no deployment profiles") {
		t.Errorf("no problem shown for missing frameworks:\n%s", view)
	}
}

func TestMemberAccountIsBlocked(t *testing.T) {
	d := *newOrgDiscovery
	d.Organization = &Organization{ID: "o-abcdefghij", ManagementAccountID: "444455556666"}
	m := newScreenModel(t, &d)
	if cmd := press(m, tea.KeyMsg{Type: tea.KeyEnter}); cmd != nil {
		t.Errorf("enter in a member account moved on")
	}
	if view := m.View(); !strings.Contains(view, "management account 444455556666") {
		t.Errorf("the screen does not name the management account:\n%s", view)
	}
}

func TestDiscoveryErrorShown(t *testing.T) {
	backend, _ := newTestBackend(t, sandbox.Options{})
	m := NewModel(context.Background(), backend)
	m.Update(discoveredMsg{err: errors.New("getting caller identity: expired token")})
	if view := m.View(); !strings.Contains(view, "expired token") || !strings.Contains(view, "Nothing was changed") {
		t.Errorf("the discovery error is not on screen:\n%s", view)
	}
	if m.Err() == nil {
		t.Errorf("Err after a failed discovery: got nil")
	}
}

// TestViewFitsTheTerminal checks every screen against the terminal size,
// also after a resize.
func TestViewFitsTheTerminal(t *testing.T) {
	sizes := []struct{ width, height int }{{80, 24}, {100, 30}, {60, 20}}
	for _, size := range sizes {
		m := newScreenModel(t, newOrgDiscovery)
		m.Update(tea.WindowSizeMsg{Width: size.width, Height: size.height})
		for _, id := range []screenID{screenIdentity, screenEnvironments, screenDeployment, screenTrust} {
			m.Update(navigateMsg{id})
			view := m.View()
			lines := strings.Split(view, "\n")
			if len(lines) != size.height {
				t.Errorf("%dx%d %s: got %d lines, want %d", size.width, size.height, screenTitles[id], len(lines), size.height)
			}
			for i, line := range lines {
				if w := lipgloss.Width(line); w > size.width {
					t.Errorf("%dx%d %s: line %d is %d columns wide: %q", size.width, size.height, screenTitles[id], i, w, line)
				}
			}
		}
	}
}

func TestHelpLineFromBindings(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	m.Update(navigateMsg{screenEnvironments})
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	view := m.View()
	last := view[strings.LastIndex(view, "\n")+1:]
	for _, want := range []string{"enter edit", "a add", "d remove", "esc back", "q quit"} {
		if !strings.Contains(last, want) {
			t.Errorf("help line %q lacks %q", last, want)
		}
	}
}

func TestEscGoesBack(t *testing.T) {
	m := newScreenModel(t, newOrgDiscovery)
	for _, id := range []screenID{screenEnvironments, screenDeployment, screenTrust} {
		m.Update(navigateMsg{id})
	}
	for _, want := range []screenID{screenDeployment, screenEnvironments, screenIdentity} {
		cmd := press(m, tea.KeyMsg{Type: tea.KeyEsc})
		if cmd == nil {
			t.Fatalf("esc on %s returned no command", screenTitles[m.id])
		}
		m.Update(cmd())
		if m.id != want {
			t.Fatalf("after esc: got %s, want %s", screenTitles[m.id], screenTitles[want])
		}
	}
	if cmd := press(m, tea.KeyMsg{Type: tea.KeyEsc}); cmd != nil {
		m.Update(cmd())
	}
	if m.id != screenIdentity {
		t.Errorf("esc on the first screen moved to %s", screenTitles[m.id])
	}
}

func TestRenderChangeShowsTrustDiff(t *testing.T) {
	c := plan.Change{Kind: plan.KindTrustPolicy, Action: plan.ActionUpdate, Target: "orgstrap-deploy",
		Reason: "the principals allowed to assume the role changed",
		Before: "{\n  \"AWS\": \"arn:aws:iam::111122223333:user/admin\"\n}",
		After:  "{\n  \"AWS\": \"arn:aws:iam::111122223333:user/operator\"\n}"}
	out := renderChange(c, 80)
	for _, want := range []string{"- " + `  "AWS": "arn:aws:iam::111122223333:user/admin"`,
		"+ " + `  "AWS": "arn:aws:iam::111122223333:user/operator"`} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered change lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderReviewShowsWarnings(t *testing.T) {
	cfg := newDraft(nil)
	r := &Review{Plan: &plan.Plan{Warnings: []plan.Warning{{
		Kind: plan.WarningOrphanAccount, AccountID: "123456789012",
		Message: "account acme-qa (123456789012) is tagged orgstrap:environment=qa but qa is not in orgstrap.yaml",
		Fix:     "add it back, or remove the account and its tags by hand",
	}}}}
	out := renderReview(r, cfg, 80)
	for _, want := range []string{"Warnings: apply leaves these alone", "acme-qa (123456789012)", "add it back"} {
		if !strings.Contains(out, want) {
			t.Errorf("review lacks %q:\n%s", want, out)
		}
	}
}
