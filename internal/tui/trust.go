package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/orgstrap/orgstrap/internal/config"
)

// trustScreen sets who may assume the deployment roles.
type trustScreen struct {
	w        *wizard
	form     *form
	problems []config.Problem
}

const (
	trustYes = "yes"
	trustNo  = "no"
)

func newTrustScreen(w *wizard) *trustScreen {
	t := w.draft.Trust
	caller := trustYes
	if !t.TrustsCaller() {
		caller = trustNo
	}
	var repo, branches, environments string
	if t.GitHub != nil {
		repo = t.GitHub.Repository
		branches = strings.Join(t.GitHub.Branches, ", ")
		environments = strings.Join(t.GitHub.Environments, ", ")
	}
	session := t.MaxSessionDuration
	if session == "" {
		session = "1h"
	}
	f := newForm(
		newChoiceField("Trust me", caller, "You may assume the roles as "+w.discovery.PrincipalARN+".",
			[]string{trustYes, trustNo}),
		newTextField("Role ARNs", strings.Join(t.RoleARNs, ", "),
			"IAM roles that may assume the deploy roles, comma-separated, such as a CI runner's role."),
		newTextField("GitHub repository", repo,
			"OWNER/REPO whose GitHub Actions workflows may assume the roles through OIDC; empty for none."),
		newTextField("GitHub branches", branches, "Branches allowed to deploy, comma-separated, such as main."),
		newTextField("GitHub environments", environments,
			"GitHub environments allowed to deploy, comma-separated, such as prod."),
		newTextField("External ID", t.ExternalID, "Optional sts:ExternalId that AWS principals must pass."),
		newTextField("Max session", session, "How long a session lasts, from 1h to 12h."),
	)
	return &trustScreen{w: w, form: f}
}

func (s *trustScreen) Init() tea.Cmd { return nil }

func (s *trustScreen) Typing() bool { return s.form.typing() }

func (s *trustScreen) KeyMap() keyMap {
	return keyMap{keys.Next, keys.Choose, keys.Enter, keys.Back, keys.Quit}
}

func (s *trustScreen) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, keys.Back):
			return back
		case key.Matches(k, keys.Enter):
			return s.submit()
		}
	}
	return s.form.Update(msg)
}

func (s *trustScreen) submit() tea.Cmd {
	v := func(i int) string { return s.form.fields[i].Value() }
	t := &s.w.draft.Trust
	caller := v(0) == trustYes
	t.Caller = &caller
	t.RoleARNs = splitList(v(1))
	t.GitHub = nil
	if repo := v(2); repo != "" || v(3) != "" || v(4) != "" {
		t.GitHub = &config.GitHub{Repository: repo, Branches: splitList(v(3)), Environments: splitList(v(4))}
	}
	t.ExternalID = v(5)
	t.MaxSessionDuration = v(6)

	_, problems, err := checkDraft(s.w.draft, s.w.profileNames(), "trust")
	if err != nil {
		problems = []config.Problem{{Path: "trust", Message: err.Error()}}
	}
	s.problems = problems
	if len(problems) > 0 {
		return nil
	}
	return navigate(screenReview)
}

func (s *trustScreen) View(width, height int) string {
	s.form.width = width
	return titleStyle.Render("Who may assume the deployment roles") + "\n\n" +
		s.form.View() + "\n" + problemLines(s.problems, width)
}
