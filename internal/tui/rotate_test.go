package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/rotate"
)

// newRotateModel returns a model on the rotation screen of a managed
// organization, with the rotation plan delivered as a message.
func newRotateModel(t *testing.T, p *RotationPlan) *Model {
	t.Helper()
	cfg, err := config.Parse("orgstrap.yaml", []byte(managedConfig), config.Options{})
	if err != nil {
		t.Fatalf("parsing the test config: %v", err)
	}
	d := *newOrgDiscovery
	d.Organization = &Organization{ID: "o-abcdefghij", ManagementAccountID: "111122223333", Management: true}
	d.Config = cfg
	d.Environments = []EnvironmentStatus{
		{Name: "dev", AccountID: "222233334444", Drift: "in sync"},
		{Name: "prod", AccountID: "555566667777", Drift: "in sync"},
	}
	m := newScreenModel(t, &d)
	if got := m.screen.(*identityScreen).actions[1]; got != actionRotate {
		t.Fatalf("second managed action: got %q, want %q", got, actionRotate)
	}
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	cmd := press(m, tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil {
		t.Fatalf("enter on %q returned no command", actionRotate)
	}
	m.Update(cmd())
	if m.id != screenRotate {
		t.Fatalf("screen after choosing %q: got %s, want Rotate", actionRotate, screenTitles[m.id])
	}
	if p != nil {
		m.Update(rotationPlannedMsg{plan: p})
	}
	return m
}

func target(name, account string) RotationTarget {
	arn := "arn:aws:iam::" + account + ":role/orgstrap-deploy"
	return RotationTarget{Name: name, AccountID: account, RoleARN: arn, Actions: map[rotate.Mode]string{
		rotate.ModeInPlace: name + ": rotate " + arn + " in place",
		rotate.ModeReplace: name + ": replace " + arn,
		rotate.ModeFinish:  name + ": finish " + arn,
	}}
}

func twoTargets() *RotationPlan {
	return &RotationPlan{Environments: []RotationTarget{target("dev", "222233334444"), target("prod", "555566667777")}}
}

func TestRotateModesOffered(t *testing.T) {
	pending := twoTargets()
	pending.Environments[1].Replaces = "orgstrap-deploy"
	tests := []struct {
		name string
		plan *RotationPlan
		want []rotate.Mode
	}{
		{"no replacement pending", twoTargets(), []rotate.Mode{rotate.ModeInPlace, rotate.ModeReplace}},
		{"replacement pending", pending, []rotate.Mode{rotate.ModeFinish, rotate.ModeInPlace, rotate.ModeReplace}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newRotateModel(t, tt.plan)
			s := m.screen.(*rotateScreen)
			if !slices.Equal(s.modes, tt.want) {
				t.Errorf("modes: got %v, want %v", s.modes, tt.want)
			}
			view := m.View()
			if got, want := strings.Contains(view, modeLabels[rotate.ModeFinish]), tt.plan.Pending(); got != want {
				t.Errorf("finish on screen: got %v, want %v:\n%s", got, want, view)
			}
			if !strings.Contains(view, tt.plan.Environments[0].Actions[tt.want[0]]) {
				t.Errorf("the screen lacks what the default mode does:\n%s", view)
			}
		})
	}
}

func TestRotateChooseAndConfirm(t *testing.T) {
	m := newRotateModel(t, twoTargets())
	s := m.screen.(*rotateScreen)
	if got := s.selected(); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Errorf("environments chosen by default: got %v, want dev and prod", got)
	}

	press(m, tea.KeyMsg{Type: tea.KeyRight})
	press(m, tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	view := m.View()
	if strings.Contains(view, "dev: replace") || !strings.Contains(view, "prod: replace") {
		t.Errorf("after choosing replace and leaving out dev, the plan shows:\n%s", view)
	}

	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.View(), "Rotate these deploy roles? (y/n)") {
		t.Fatalf("enter did not ask to confirm:\n%s", m.View())
	}
	cmd := press(m, runes("y"))
	if cmd == nil {
		t.Fatalf("y returned no command")
	}
	if msg, ok := cmd().(navigateMsg); !ok || msg.to != screenRotating {
		t.Errorf("y: got %#v, want a move to the Rotating screen", msg)
	}
	if got := m.w.rotationEnvs; !slices.Equal(got, []string{"prod"}) {
		t.Errorf("environments to rotate: got %v, want prod", got)
	}
	if got := m.w.rotationMode; got != rotate.ModeReplace {
		t.Errorf("mode: got %v, want replace", got)
	}
}

func TestRotateNeedsAnEnvironment(t *testing.T) {
	p := twoTargets()
	p.Environments[1] = RotationTarget{Name: "prod", Unavailable: "no account yet: apply the config first"}
	m := newRotateModel(t, p)
	s := m.screen.(*rotateScreen)
	if got := s.selected(); !slices.Equal(got, []string{"dev"}) {
		t.Errorf("environments chosen by default: got %v, want dev only", got)
	}

	press(m, tea.KeyMsg{Type: tea.KeyDown})
	press(m, tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	if s.chosen["prod"] {
		t.Errorf("space chose prod, which has no account")
	}
	if view := m.View(); !strings.Contains(view, "prod cannot be rotated: no account yet") {
		t.Errorf("no reason shown for prod:\n%s", view)
	}

	press(m, tea.KeyMsg{Type: tea.KeyUp})
	press(m, tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	if cmd := press(m, tea.KeyMsg{Type: tea.KeyEnter}); cmd != nil {
		t.Errorf("enter with no environment chosen returned a command")
	}
	if view := m.View(); !strings.Contains(view, "Choose at least one environment") || s.confirming {
		t.Errorf("enter with no environment chosen: confirming %v, screen:\n%s", s.confirming, view)
	}
}

func TestRotatePlanErrorShown(t *testing.T) {
	m := newRotateModel(t, nil)
	err := access.WithFix(errors.New("environment prod has no account yet"), "run orgstrap apply to create it, then rotate")
	m.Update(rotationPlannedMsg{err: err})
	view := m.View()
	for _, want := range []string{"has no account yet", "Fix: run orgstrap apply", "Nothing was changed"} {
		if !strings.Contains(view, want) {
			t.Errorf("the screen lacks %q:\n%s", want, view)
		}
	}
	cmd := press(m, tea.KeyMsg{Type: tea.KeyEsc})
	if cmd == nil {
		t.Fatalf("esc returned no command")
	}
	m.Update(cmd())
	if m.id != screenIdentity {
		t.Errorf("screen after esc: got %s, want Identity", screenTitles[m.id])
	}
}

// startRotating moves m to the rotating screen as if the rotation were
// running, without calling the backend.
func startRotating(t *testing.T, m *Model, envs ...string) (*rotatingScreen, *bool) {
	t.Helper()
	m.w.rotationEnvs, m.w.rotationMode = envs, rotate.ModeInPlace
	s := newRotatingScreen(m.w)
	canceled := false
	s.running, s.cancel = true, func() { canceled = true }
	m.id, m.screen = screenRotating, s
	return s, &canceled
}

func TestRotatingShowsEvents(t *testing.T) {
	m := newRotateModel(t, twoTargets())
	startRotating(t, m, "dev", "prod")
	m.Update(eventMsg{Environment: "dev", Message: "revoked the sessions of orgstrap-deploy", Fraction: -1})
	m.Update(eventMsg{Environment: "dev", Message: "done", Done: true, Fraction: 1})
	view := m.View()
	for _, want := range []string{"[dev] revoked the sessions of orgstrap-deploy", "✓ dev", "prod       waiting"} {
		if !strings.Contains(view, want) {
			t.Errorf("the screen lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "%") {
		t.Errorf("the rotation shows a percentage it cannot know:\n%s", view)
	}
	if last := view[strings.LastIndex(view, "\n")+1:]; !strings.Contains(last, "q/ctrl+c cancel") {
		t.Errorf("help line while rotating: got %q, want q/ctrl+c cancel", last)
	}
}

func TestRotatingQuitAsksFirst(t *testing.T) {
	m := newRotateModel(t, twoTargets())
	_, canceled := startRotating(t, m, "dev")

	if cmd := press(m, runes("q")); cmd != nil {
		t.Errorf("q while rotating returned a command; want only the question")
	}
	if !strings.Contains(m.View(), "Cancel the rotation and quit?") {
		t.Fatalf("no quit question on screen:\n%s", m.View())
	}
	press(m, runes("n"))
	if m.confirming || *canceled {
		t.Errorf("n: confirming %v, canceled %v; want both false", m.confirming, *canceled)
	}

	press(m, tea.KeyMsg{Type: tea.KeyCtrlC})
	if cmd := press(m, runes("y")); cmd != nil {
		t.Errorf("y returned a command before the rotation stopped")
	}
	if !*canceled {
		t.Fatalf("y did not cancel the rotation")
	}
	_, cmd := m.Update(rotateDoneMsg{err: context.Canceled})
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatalf("the end of the cancelled rotation did not quit")
	}
	if err := m.Err(); err == nil || !strings.Contains(err.Error(), "rotation cancelled") {
		t.Errorf("Err after cancelling: got %v, want a rotation cancelled error", err)
	}
}

const newID = "0123456789abcdef0123456789abcdef01234567"

func rotatedDev() *RotationResult {
	at := time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)
	return &RotationResult{Mode: rotate.ModeInPlace, Environments: []RotatedEnvironment{{
		Name: "dev", RoleARN: "arn:aws:iam::222233334444:role/orgstrap-deploy",
		RotatedAt: at, RevokedBefore: at.Add(time.Second), ExternalID: newID,
	}}}
}

// TestCancelledRotationShowsExternalIDs checks that quitting during a
// rotation that already made a new external id shows it before exiting.
func TestCancelledRotationShowsExternalIDs(t *testing.T) {
	m := newRotateModel(t, twoTargets())
	startRotating(t, m, "dev", "prod")
	press(m, runes("q"))
	press(m, runes("y"))

	_, cmd := m.Update(rotateDoneMsg{result: rotatedDev(), err: context.Canceled})
	if cmd == nil {
		t.Fatalf("the end of the rotation returned no command")
	}
	msg := cmd()
	if msg == tea.Quit() {
		t.Fatalf("the wizard quit before showing the new external id")
	}
	m.Update(msg)
	if m.id != screenRotated {
		t.Fatalf("screen after the rotation: got %s, want Rotated", screenTitles[m.id])
	}
	view := m.View()
	for _, want := range []string{newID, "Cancelled", "secret store"} {
		if !strings.Contains(view, want) {
			t.Errorf("the result lacks %q:\n%s", want, view)
		}
	}
}

func TestRotatedQuitAsksAboutExternalIDs(t *testing.T) {
	tests := []struct {
		name   string
		result *RotationResult
		ask    bool
	}{
		{"new external id", rotatedDev(), true},
		{"no external id", &RotationResult{Mode: rotate.ModeFinish, Environments: []RotatedEnvironment{{
			Name: "dev", RoleARN: "arn:aws:iam::222233334444:role/orgstrap-deploy-g2",
		}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newRotateModel(t, twoTargets())
			m.w.rotation = tt.result
			m.Update(navigateMsg{screenRotated})
			cmd := press(m, tea.KeyMsg{Type: tea.KeyEnter})
			if cmd == nil {
				t.Fatalf("enter on the result returned no command")
			}
			_, cmd = m.Update(cmd())
			if got := m.confirming; got != tt.ask {
				t.Fatalf("quit question after enter: got %v, want %v", got, tt.ask)
			}
			if !tt.ask {
				if cmd == nil || cmd() != tea.Quit() {
					t.Errorf("enter did not quit")
				}
				return
			}
			if !strings.Contains(m.View(), "not shown again") {
				t.Errorf("the question does not warn about the external ids:\n%s", m.View())
			}
			if cmd := press(m, runes("y")); cmd == nil || cmd() != tea.Quit() {
				t.Errorf("y did not quit")
			}
		})
	}
}

func TestRotatedShowsFailuresWithFix(t *testing.T) {
	m := newRotateModel(t, twoTargets())
	r := rotatedDev()
	failure := access.WithFix(errors.New("rotating environment prod: verifying role orgstrap-deploy: simulation skipped"),
		"allow iam:SimulatePrincipalPolicy for the access role in the member account")
	r.Environments = append(r.Environments, RotatedEnvironment{Name: "prod", Err: failure, Fix: access.Fix(failure)})
	m.w.rotation, m.w.rotateErr = r, failure
	m.Update(navigateMsg{screenRotated})
	view := m.View()
	for _, want := range []string{"failed in some environments", "✗ prod", "fix: allow iam:SimulatePrincipalPolicy", newID} {
		if !strings.Contains(view, want) {
			t.Errorf("the result lacks %q:\n%s", want, view)
		}
	}
	if err := m.Err(); err == nil || !strings.Contains(err.Error(), "rotation failed") {
		t.Errorf("Err: got %v, want a rotation failed error", err)
	}
}

func TestRotationSummaryLeavesOutExternalIDs(t *testing.T) {
	got := RotationSummary(rotatedDev())
	if strings.Contains(got, newID) {
		t.Errorf("the summary contains the external id:\n%s", got)
	}
	for _, want := range []string{"arn:aws:iam::222233334444:role/orgstrap-deploy", "2026-12-03T23:00:01Z", "shown only in the wizard"} {
		if !strings.Contains(got, want) {
			t.Errorf("the summary lacks %q:\n%s", want, got)
		}
	}
}

func TestRotateViewsFitTheTerminal(t *testing.T) {
	for _, size := range []struct{ width, height int }{{80, 24}, {60, 20}} {
		m := newRotateModel(t, twoTargets())
		m.Update(tea.WindowSizeMsg{Width: size.width, Height: size.height})
		views := map[string]string{"Rotate": m.View()}
		startRotating(t, m, "dev", "prod")
		views["Rotating"] = m.View()
		m.w.rotation = rotatedDev()
		m.Update(navigateMsg{screenRotated})
		views["Rotated"] = m.View()
		for name, view := range views {
			lines := strings.Split(view, "\n")
			if len(lines) != size.height {
				t.Errorf("%dx%d %s: got %d lines, want %d", size.width, size.height, name, len(lines), size.height)
			}
			for i, line := range lines {
				if w := lipgloss.Width(line); w > size.width {
					t.Errorf("%dx%d %s: line %d is %d columns wide: %q", size.width, size.height, name, i, w, line)
				}
			}
		}
	}
}

func TestRotateManyEnvironmentsKeepTheQuestion(t *testing.T) {
	p := &RotationPlan{}
	for i := range 8 {
		p.Environments = append(p.Environments, target(fmt.Sprintf("env%d", i), fmt.Sprintf("2222333344%02d", i)))
	}
	m := newRotateModel(t, p)
	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	view := m.View()
	if !strings.Contains(view, "Rotate these deploy roles? (y/n)") {
		t.Errorf("the question is cut off with 8 environments:\n%s", view)
	}
	if !strings.Contains(view, "more lines") {
		t.Errorf("the cut description does not say lines were left out:\n%s", view)
	}
	if got := len(strings.Split(view, "\n")); got != 24 {
		t.Errorf("view lines: got %d, want 24", got)
	}
}
