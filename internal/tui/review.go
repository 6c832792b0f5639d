package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
)

// plannedMsg carries the result of Backend.Plan; configWrittenMsg that of
// Backend.WriteConfig.
type (
	plannedMsg struct {
		review *Review
		err    error
	}
	configWrittenMsg struct{ err error }
)

func planDraft(w *wizard, cfg *config.Config) tea.Cmd {
	return func() tea.Msg {
		r, err := w.backend.Plan(w.ctx, cfg)
		return plannedMsg{r, err}
	}
}

func writeConfig(w *wizard, cfg *config.Config) tea.Cmd {
	return func() tea.Msg {
		return configWrittenMsg{w.backend.WriteConfig(cfg.Path, cfg)}
	}
}

// reviewScreen validates the draft, plans it and shows the plan, the
// policies and the findings in a scrollable pane before asking to apply.
type reviewScreen struct {
	w          *wizard
	spinner    spinner.Model
	viewport   viewport.Model
	problems   []config.Problem
	err        error
	confirming bool
	writing    bool
	// contentWidth is the width the pane's content was rendered for.
	contentWidth int
}

func newReviewScreen(w *wizard) *reviewScreen {
	w.review, w.valid = nil, nil
	return &reviewScreen{
		w:        w,
		spinner:  spinner.New(spinner.WithSpinner(spinner.Dot)),
		viewport: viewport.New(80, 10),
	}
}

func (s *reviewScreen) Init() tea.Cmd {
	valid, problems, err := checkDraft(s.w.draft, s.w.profileNames(), "")
	if err != nil {
		s.err = err
		return nil
	}
	s.problems = problems
	if len(problems) > 0 {
		return nil
	}
	s.w.valid = valid
	return tea.Batch(s.spinner.Tick, planDraft(s.w, valid))
}

func (s *reviewScreen) Typing() bool { return false }

func (s *reviewScreen) KeyMap() keyMap {
	switch {
	case s.confirming:
		return keyMap{keys.Yes, keys.No}
	case s.w.review == nil:
		return keyMap{keys.Back, keys.Quit}
	}
	return keyMap{keys.Up, keys.Down, keys.PageDown, withHelp(keys.Enter, "apply"), keys.Back, keys.Quit}
}

func (s *reviewScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case plannedMsg:
		s.err = msg.err
		s.w.review = msg.review
		return nil
	case configWrittenMsg:
		s.writing = false
		if msg.err != nil {
			s.err = fmt.Errorf("writing %s: %w", s.w.valid.Path, msg.err)
			return nil
		}
		return navigate(screenApply)
	case spinner.TickMsg:
		if s.w.review != nil || s.err != nil {
			return nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		return cmd
	case tea.KeyMsg:
		return s.handleKey(msg)
	}
	return nil
}

func (s *reviewScreen) handleKey(k tea.KeyMsg) tea.Cmd {
	if s.confirming {
		switch {
		case key.Matches(k, keys.Yes):
			s.confirming, s.writing = false, true
			return writeConfig(s.w, s.w.valid)
		case key.Matches(k, keys.No):
			s.confirming = false
		}
		return nil
	}
	switch {
	case key.Matches(k, keys.Back):
		return back
	case key.Matches(k, keys.Enter) && s.w.review != nil && !s.writing:
		s.confirming = true
		return nil
	}
	var cmd tea.Cmd
	s.viewport, cmd = s.viewport.Update(k)
	return cmd
}

func (s *reviewScreen) View(width, height int) string {
	switch {
	case s.err != nil:
		return errorStyle.Render("✗ "+s.err.Error()) + "\n\n" + errorHint(s.err) +
			"Nothing was changed. Press esc to go back and change the settings."
	case len(s.problems) > 0:
		return errorStyle.Render("The settings are not valid yet:") + "\n\n" + problemLines(s.problems, width) +
			"\nPress esc to go back and fix them."
	case s.w.review == nil:
		return s.spinner.View() + " Planning: reading the organization and the member accounts…"
	}
	s.viewport.Width, s.viewport.Height = width, max(3, height-2)
	if width != s.contentWidth {
		// Policy documents hold ARNs wider than the terminal, which the
		// viewport would cut, so the review wraps them instead.
		s.viewport.SetContent(ansi.Wrap(renderReview(s.w.review, s.w.valid, width), width, ""))
		s.contentWidth = width
	}
	first, total := s.viewport.YOffset+1, s.viewport.TotalLineCount()
	last := min(total, s.viewport.YOffset+s.viewport.VisibleLineCount())
	status := dimStyle.Render(fmt.Sprintf("lines %d-%d of %d", first, last, total))
	switch {
	case s.confirming:
		status = confirmStyle.Render(fmt.Sprintf("Write %s and apply these changes? (y/n)", s.w.valid.Path))
	case s.writing:
		status = dimStyle.Render("Writing " + s.w.valid.Path + "…")
	case s.w.review.Plan.Empty():
		status = okStyle.Render("AWS matches the config already. ") + dimStyle.Render("enter applies anyway and writes the profiles.")
	}
	return s.viewport.View() + "\n\n" + status
}

var actionSymbols = map[plan.Action]string{
	plan.ActionCreate: "+", plan.ActionUpdate: "~", plan.ActionDelete: "-", plan.ActionAdopt: "=", plan.ActionWait: "*",
}

// renderReview renders the plan grouped by environment, then the policy
// documents, then the findings.
func renderReview(r *Review, cfg *config.Config, width int) string {
	var b strings.Builder
	counts := r.Plan.Counts()
	fmt.Fprintf(&b, "%s %d to create, %d to update, %d to delete, %d to adopt, %d to wait for\n",
		titleStyle.Render("Plan:"), counts[plan.ActionCreate], counts[plan.ActionUpdate],
		counts[plan.ActionDelete], counts[plan.ActionAdopt], counts[plan.ActionWait])

	sections := []struct{ title, env string }{{"Organization", ""}}
	for _, env := range cfg.Environments {
		title := fmt.Sprintf("%s: account %s, %s access", env.Name, env.AccountName, env.Access)
		sections = append(sections, struct{ title, env string }{title, env.Name})
	}
	for _, sec := range sections {
		changes := r.Plan.ForEnvironment(sec.env)
		if len(changes) == 0 && sec.env == "" {
			continue
		}
		b.WriteString("\n" + titleStyle.Render(sec.title) + "\n")
		if len(changes) == 0 {
			b.WriteString(okStyle.Render("  no changes") + "\n")
		}
		for _, c := range changes {
			b.WriteString(renderChange(c, width))
		}
	}

	if len(r.Plan.Warnings) > 0 {
		b.WriteString("\n" + titleStyle.Render("Warnings: apply leaves these alone") + "\n")
		for _, w := range r.Plan.Warnings {
			b.WriteString(warnStyle.Render(hangingIndent("  ! ", w.String(), width)) + "\n")
		}
	}

	b.WriteString("\n" + titleStyle.Render("Lint findings") + "\n")
	if len(r.Findings) == 0 {
		b.WriteString(okStyle.Render("  none, and every call the frameworks need is allowed") + "\n")
	}
	for _, f := range r.Findings {
		style := warnStyle
		switch f.Severity {
		case "error", "high":
			style = errorStyle
		case "info":
			style = dimStyle
		}
		prefix := fmt.Sprintf("  %s ", style.Render(f.Severity))
		b.WriteString(hangingIndent(prefix, fmt.Sprintf("[%s] %s: %s", f.Environment, f.Policy, f.Message), width) + "\n")
	}

	for _, p := range r.Policies {
		fmt.Fprintf(&b, "\n%s\n%s\n", titleStyle.Render("Policy "+p.Name+" ("+p.Environment+")"), p.Document)
	}
	return b.String()
}

func renderChange(c plan.Change, width int) string {
	line := fmt.Sprintf("  %s %s %s %s", actionSymbols[c.Action], c.Action, c.Kind, c.Target)
	switch c.Action {
	case plan.ActionCreate:
		line = okStyle.Render(line)
	case plan.ActionDelete:
		line = errorStyle.Render(line)
	case plan.ActionUpdate:
		line = warnStyle.Render(line)
	}
	out := line + "\n"
	if c.Reason != "" {
		out += dimStyle.Render(hangingIndent("      ", c.Reason, width)) + "\n"
	}
	return out + changeDocument(c)
}

// changeDocument shows what a change does to a document: the line diff of
// an updated trust policy, managed policy or boundary, and the trust policy
// of a new role. New managed policies appear in full further down.
func changeDocument(c plan.Change) string {
	var lines []string
	switch {
	case c.Action == plan.ActionUpdate && c.Before != "" && c.After != "":
		lines = plan.DiffLines(c.Before, c.After)
	case c.Action == plan.ActionCreate && c.Kind == plan.KindRole && c.After != "":
		lines = plan.DiffLines("", c.After)
	default:
		return ""
	}
	var b strings.Builder
	for _, l := range lines {
		style := dimStyle
		switch {
		case strings.HasPrefix(l, "+ "):
			style = okStyle
		case strings.HasPrefix(l, "- "):
			style = errorStyle
		}
		b.WriteString(style.Render("      "+l) + "\n")
	}
	return b.String()
}
