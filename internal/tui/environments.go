package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/orgstrap/orgstrap/internal/config"
)

// environmentsScreen lists the environments under a base email field and
// ends in a continue row. An environment opens in an envForm for editing.
type environmentsScreen struct {
	w    *wizard
	base textinput.Model
	// cursor is 0 for the base email, 1..n for the environments and n+1
	// for the continue row.
	cursor   int
	editing  *envForm
	problems []config.Problem
	notice   string
}

func newEnvironmentsScreen(w *wizard) *environmentsScreen {
	if w.baseEmail == "" {
		w.baseEmail = guessBaseEmail(w.draft.Environments)
	}
	base := textinput.New()
	base.Prompt = ""
	base.Placeholder = "aws@example.com"
	base.SetValue(w.baseEmail)
	s := &environmentsScreen{w: w, base: base}
	if w.adding > 0 {
		s.cursor = len(w.draft.Environments) // the environment just added
	}
	return s
}

// guessBaseEmail recovers the base address from an environment's email by
// dropping its +tag.
func guessBaseEmail(envs []config.Environment) string {
	for _, env := range envs {
		local, domain, ok := strings.Cut(env.Email, "@")
		if ok {
			local, _, _ = strings.Cut(local, "+")
			return local + "@" + domain
		}
	}
	return ""
}

// newEnvironment returns an environment named after the first free name
// of staging, test, qa, env4, env5..., filled in from the base email.
func newEnvironment(w *wizard) config.Environment {
	name := freeName(w.draft.Environments)
	base := w.baseEmail
	if base == "" {
		base = guessBaseEmail(w.draft.Environments)
	}
	return config.Environment{
		Name:        name,
		AccountName: suggestAccountName(base, name),
		Email:       suggestEmail(base, name),
		OU:          suggestOU(name),
		Access:      config.AccessBroad,
	}
}

func (s *environmentsScreen) Init() tea.Cmd { return s.focusBase() }

func (s *environmentsScreen) focusBase() tea.Cmd {
	if s.cursor == 0 {
		return s.base.Focus()
	}
	s.base.Blur()
	return nil
}

func (s *environmentsScreen) Typing() bool {
	if s.editing != nil {
		return s.editing.form.typing()
	}
	return s.cursor == 0
}

// locked reports whether environment i exists already in a managed
// organization, so the add flow leaves it alone.
func (s *environmentsScreen) locked(i int) bool { return i < s.w.adding }

func (s *environmentsScreen) KeyMap() keyMap {
	if s.editing != nil {
		return keyMap{keys.Next, keys.Choose, withHelp(keys.Enter, "save"), withHelp(keys.Back, "cancel")}
	}
	km := keyMap{keys.Up, keys.Down}
	if s.onEnvironment() {
		km = append(km, withHelp(keys.Enter, "edit"), keys.Add, keys.Remove)
	} else if s.cursor > 0 {
		km = append(km, keys.Enter, keys.Add)
	}
	return append(km, keys.Back, keys.Quit)
}

func (s *environmentsScreen) onEnvironment() bool {
	return s.cursor >= 1 && s.cursor <= len(s.w.draft.Environments)
}

func (s *environmentsScreen) Update(msg tea.Msg) tea.Cmd {
	k, isKey := msg.(tea.KeyMsg)
	if s.editing != nil {
		if !isKey {
			return s.editing.form.Update(msg)
		}
		return s.handleEditKey(k)
	}
	if !isKey {
		var cmd tea.Cmd
		s.base, cmd = s.base.Update(msg)
		return cmd
	}
	return s.handleListKey(k)
}

func (s *environmentsScreen) handleListKey(k tea.KeyMsg) tea.Cmd {
	envs := s.w.draft.Environments
	rows := len(envs) + 2
	s.notice = ""
	switch {
	case key.Matches(k, keys.Up, keys.Prev):
		s.cursor = (s.cursor + rows - 1) % rows
		return s.focusBase()
	case key.Matches(k, keys.Down, keys.Next):
		s.cursor = (s.cursor + 1) % rows
		return s.focusBase()
	case key.Matches(k, keys.Back):
		return back
	case key.Matches(k, keys.Enter):
		return s.handleEnter()
	}
	if s.cursor == 0 {
		var cmd tea.Cmd
		s.base, cmd = s.base.Update(k)
		s.setBaseEmail(s.base.Value())
		return cmd
	}
	switch {
	case key.Matches(k, keys.Add):
		s.w.draft.Environments = append(s.w.draft.Environments, newEnvironment(s.w))
		s.cursor = len(s.w.draft.Environments)
	case key.Matches(k, keys.Remove) && s.onEnvironment():
		i := s.cursor - 1
		if s.locked(i) {
			s.notice = "This environment exists already; remove it from orgstrap.yaml by hand."
			return nil
		}
		delete(s.w.accessToCheck, envs[i].AccountID)
		s.w.draft.Environments = slices.Delete(s.w.draft.Environments, i, i+1)
		s.cursor = min(s.cursor, len(s.w.draft.Environments)+1)
	case key.Matches(k, keys.Edit) && s.onEnvironment():
		return s.handleEnter()
	}
	return nil
}

func (s *environmentsScreen) handleEnter() tea.Cmd {
	switch {
	case s.cursor == 0:
		s.cursor = 1
		return s.focusBase()
	case s.onEnvironment():
		i := s.cursor - 1
		if s.locked(i) {
			s.notice = "This environment exists already; the add flow leaves it as it is."
			return nil
		}
		s.editing = newEnvForm(s.w, i)
		return s.editing.form.setFocus(0)
	}
	_, problems, err := checkDraft(s.w.draft, s.w.profileNames(), "environments")
	if err != nil {
		s.notice = err.Error()
		return nil
	}
	s.problems = problems
	if len(problems) > 0 {
		return nil
	}
	if s.w.adding > 0 {
		return navigate(screenReview)
	}
	return navigate(screenDeployment)
}

func (s *environmentsScreen) handleEditKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, keys.Back):
		s.editing = nil
		return nil
	case key.Matches(k, keys.Enter):
		if s.editing.save() {
			s.editing = nil
			s.problems = nil
		}
		return nil
	}
	return s.editing.form.Update(k)
}

// setBaseEmail updates the base address and every environment whose email
// and account name still follow the old one.
func (s *environmentsScreen) setBaseEmail(base string) {
	old := s.w.baseEmail
	if base == old {
		return
	}
	for i := range s.w.draft.Environments {
		env := &s.w.draft.Environments[i]
		if s.locked(i) || env.AccountID != "" {
			continue
		}
		if env.Email == "" || env.Email == suggestEmail(old, env.Name) {
			env.Email = suggestEmail(base, env.Name)
		}
		if env.AccountName == "" || env.AccountName == suggestAccountName(old, env.Name) {
			env.AccountName = suggestAccountName(base, env.Name)
		}
	}
	s.w.baseEmail = base
}

func (s *environmentsScreen) View(width, height int) string {
	if s.editing != nil {
		return s.editing.View(width)
	}
	var b strings.Builder
	marker := "  "
	if s.cursor == 0 {
		marker = focusStyle.Render("› ")
	}
	s.base.Width = max(10, width-20)
	fmt.Fprintf(&b, "%s%s  %s\n", marker, labelStyle.Render("Base email"), s.base.View())
	b.WriteString(dimStyle.Render("  Each account gets its own address: name+env@domain reaches one mailbox.") + "\n\n")

	row := "  %-9s %-14s %-25s %-15s %s"
	b.WriteString(dimStyle.Render(fmt.Sprintf(row, "NAME", "ACCOUNT", "EMAIL", "OU", "ACCESS")) + "\n")
	for i, env := range s.w.draft.Environments {
		account := env.AccountName
		if env.AccountID != "" {
			account = "adopt " + env.AccountID
		}
		name := env.Name
		if s.locked(i) {
			name += "*"
		}
		access := string(env.Access)
		if s.w.accessToCheck[env.AccountID] {
			access += "?"
		}
		line := fmt.Sprintf(row, clip(name, 9), clip(account, 14), clip(env.Email, 25), clip(env.OU, 15), access)
		if s.cursor == i+1 {
			line = focusStyle.Render("›" + line[1:])
		}
		b.WriteString(line + "\n")
	}
	cont := "  Continue"
	if s.cursor == len(s.w.draft.Environments)+1 {
		cont = focusStyle.Render("› Continue")
	}
	if s.w.adding > 0 {
		b.WriteString(dimStyle.Render("  * exists already and stays as it is") + "\n")
	}
	if len(s.w.accessToCheck) > 0 {
		b.WriteString(dimStyle.Render("  ? a default: the deploy role could not be read, so check it") + "\n")
	}
	b.WriteString("\n" + cont + "\n\n")
	if s.notice != "" {
		b.WriteString(warnStyle.Render(s.notice) + "\n")
	}
	b.WriteString(problemLines(s.problems, width))
	return b.String()
}

func freeName(envs []config.Environment) string {
	taken := map[string]bool{}
	for _, env := range envs {
		taken[env.Name] = true
	}
	for _, name := range []string{"staging", "test", "qa"} {
		if !taken[name] {
			return name
		}
	}
	for i := 4; ; i++ {
		if name := fmt.Sprintf("env%d", i); !taken[name] {
			return name
		}
	}
}

// clip shortens s to n columns, marking the cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
