package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// discoveredMsg carries the result of Backend.Discover.
type discoveredMsg struct {
	discovery *Discovery
	err       error
}

func discover(w *wizard) tea.Cmd {
	return func() tea.Msg {
		d, err := w.backend.Discover(w.ctx)
		return discoveredMsg{d, err}
	}
}

// The actions offered in an organization orgstrap already manages.
const (
	actionAdd    = "Add an environment"
	actionRotate = "Rotate the deployment roles"
	actionRepair = "Repair drift: apply orgstrap.yaml as it is"
	actionEdit   = "Change the settings and apply"
)

// identityScreen shows who the caller is, the organization, and what the
// wizard will do; in a managed organization it offers the actions above.
type identityScreen struct {
	w       *wizard
	spinner spinner.Model
	err     error
	// actions is set for a managed organization; cursor is the chosen one.
	actions []string
	cursor  int
}

func newIdentityScreen(w *wizard) *identityScreen {
	s := &identityScreen{w: w, spinner: spinner.New(spinner.WithSpinner(spinner.Dot))}
	if w.discovery != nil {
		s.setActions()
	}
	return s
}

func (s *identityScreen) Init() tea.Cmd {
	if s.w.discovery != nil {
		return nil
	}
	return tea.Batch(s.spinner.Tick, discover(s.w))
}

func (s *identityScreen) Typing() bool { return false }

func (s *identityScreen) KeyMap() keyMap {
	if s.w.discovery == nil || s.blocked() != "" {
		return keyMap{keys.Quit}
	}
	if s.actions != nil {
		return keyMap{keys.Up, keys.Down, withHelp(keys.Enter, "choose"), keys.Quit}
	}
	return keyMap{keys.Enter, keys.Quit}
}

func (s *identityScreen) setActions() {
	s.actions = nil
	if !s.w.discovery.Managed() {
		return
	}
	s.actions = []string{actionAdd, actionRotate, actionRepair, actionEdit}
}

// blocked returns why the wizard cannot go on, or "".
func (s *identityScreen) blocked() string {
	org := s.w.discovery.Organization
	if org != nil && !org.Management {
		return fmt.Sprintf("You are in account %s, a member of organization %s. orgstrap must run in "+
			"the management account %s: use a profile of that account (--profile).",
			s.w.discovery.CallerAccount, org.ID, org.ManagementAccountID)
	}
	return ""
}

func (s *identityScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case discoveredMsg:
		s.handleDiscovered(msg)
		return nil
	case spinner.TickMsg:
		if s.w.discovery != nil || s.err != nil {
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

func (s *identityScreen) handleDiscovered(msg discoveredMsg) {
	if msg.err != nil {
		s.err, s.w.err = msg.err, msg.err
		return
	}
	w := s.w
	w.discovery = msg.discovery
	if msg.discovery.Config != nil {
		w.draft = cloneConfig(msg.discovery.Config)
	} else {
		w.draft = newDraft(w.frameworks)
		w.draft.Path = msg.discovery.ConfigPath
		if len(msg.discovery.Adoptable) > 0 {
			w.draft.Environments, w.accessToCheck = adoptedEnvironments(msg.discovery.Adoptable)
		}
	}
	w.draft.Organization.Create = msg.discovery.Organization == nil || w.draft.Organization.Create
	s.setActions()
}

func (s *identityScreen) handleKey(k tea.KeyMsg) tea.Cmd {
	if s.w.discovery == nil || s.blocked() != "" {
		return nil
	}
	switch {
	case s.actions != nil && key.Matches(k, keys.Up):
		s.cursor = (s.cursor + len(s.actions) - 1) % len(s.actions)
	case s.actions != nil && key.Matches(k, keys.Down, keys.Next):
		s.cursor = (s.cursor + 1) % len(s.actions)
	case key.Matches(k, keys.Enter):
		return s.choose()
	}
	return nil
}

func (s *identityScreen) choose() tea.Cmd {
	s.w.adding = 0
	if s.actions == nil {
		return navigate(screenEnvironments)
	}
	// Each action starts from the config as loaded, so going back and
	// choosing again does not add twice.
	s.w.draft = cloneConfig(s.w.discovery.Config)
	switch s.actions[s.cursor] {
	case actionAdd:
		s.w.adding = len(s.w.draft.Environments)
		s.w.draft.Environments = append(s.w.draft.Environments, newEnvironment(s.w))
		return navigate(screenEnvironments)
	case actionRotate:
		return navigate(screenRotate)
	case actionRepair:
		return navigate(screenReview)
	}
	return navigate(screenEnvironments)
}

func (s *identityScreen) View(width, height int) string {
	if s.err != nil {
		return errorStyle.Render("✗ "+s.err.Error()) + "\n\n" + errorHint(s.err) +
			"Nothing was changed. Press q to quit."
	}
	d := s.w.discovery
	if d == nil {
		return s.spinner.View() + " Looking up your AWS identity and organization…"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", labelStyle.Render("You are      "), d.CallerARN)
	fmt.Fprintf(&b, "%s  %s\n", labelStyle.Render("Account      "), d.CallerAccount)
	if d.Organization == nil {
		fmt.Fprintf(&b, "%s  %s\n", labelStyle.Render("Organization "),
			warnStyle.Render("none: it will be created with all features"))
	} else {
		fmt.Fprintf(&b, "%s  %s, management account %s, %d member accounts\n",
			labelStyle.Render("Organization "), d.Organization.ID, d.Organization.ManagementAccountID, len(d.Accounts))
	}
	config := d.ConfigPath + " (not found: the wizard writes it)"
	if d.Config != nil {
		config = d.ConfigPath + fmt.Sprintf(" (%d environments)", len(d.Config.Environments))
	}
	fmt.Fprintf(&b, "%s  %s\n\n", labelStyle.Render("Config       "), config)

	if reason := s.blocked(); reason != "" {
		b.WriteString(errorStyle.Width(width).Render("✗ "+reason) + "\n")
		return b.String()
	}
	if s.actions != nil {
		b.WriteString(s.managedView())
		return b.String()
	}
	if len(d.Adoptable) > 0 {
		b.WriteString(s.adoptableView(width))
	}
	b.WriteString(titleStyle.Render("What will happen") + "\n")
	for _, step := range s.steps() {
		b.WriteString(hangingIndent("• ", step, width) + "\n")
	}
	b.WriteString("\n" + dimStyle.Render("Nothing changes in AWS until you confirm the plan on the review screen.") + "\n")
	return b.String()
}

// steps returns what the setup flow will do, one line each.
func (s *identityScreen) steps() []string {
	d := s.w.discovery
	if len(d.Adoptable) > 0 {
		return []string{
			"adopt the accounts above and create an account for each environment you add",
			"install or update the deployment role in each, with the access level you set",
			"write an AWS CLI profile per environment and save your choices to orgstrap.yaml",
		}
	}
	steps := []string{
		"create one member account per environment and move it into its OU",
		"install a deployment role in each: broad in dev, restricted by a permissions boundary in prod",
		"write an AWS CLI profile per environment and save your choices to orgstrap.yaml",
	}
	if d.Organization == nil {
		steps = append([]string{"create the organization, with this account as its management account"}, steps...)
	}
	return steps
}

// maxAdoptableShown is the maximum number of lines the identity screen
// gives to the list of adoptable accounts, the "and N more" line included.
const maxAdoptableShown = 4

// adoptableView lists the accounts an earlier run of orgstrap made, which
// the environments start from when there is no config.
func (s *identityScreen) adoptableView(width int) string {
	d := s.w.discovery
	var b strings.Builder
	accounts := "1 account"
	if n := len(d.Adoptable); n != 1 {
		accounts = fmt.Sprintf("%d accounts", n)
	}
	notice := fmt.Sprintf("This organization has %s managed by orgstrap but there is no %s here. "+
		"The environments start from them.", accounts, d.ConfigPath)
	b.WriteString(warnStyle.Render(hangingIndent("! ", notice, width)) + "\n")
	// A long list would push the steps below off an 80x24 screen, and the
	// environments screen lists every account anyway.
	listed := d.Adoptable
	if len(listed) > maxAdoptableShown {
		listed = listed[:maxAdoptableShown-1]
	}
	for _, env := range listed {
		fmt.Fprintf(&b, "  %-12s %-14s %s\n", clip(env.Name, 12), env.Account.ID, env.Account.Email)
	}
	if more := len(d.Adoptable) - len(listed); more > 0 {
		fmt.Fprintf(&b, "  and %d more\n", more)
	}
	if d.AdoptableErr != nil {
		b.WriteString(warnStyle.Render(hangingIndent("! ", "Reading their OUs and deploy roles failed, so check "+
			"the OU and access of each environment: "+d.AdoptableErr.Error(), width)) + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

func (s *identityScreen) managedView() string {
	var b strings.Builder
	b.WriteString(titleStyle.Render("orgstrap manages this organization") + "\n")
	for _, env := range s.w.discovery.Environments {
		account := env.AccountID
		if account == "" {
			account = "no account"
		}
		drift := okStyle.Render(env.Drift)
		if env.Drift != "in sync" {
			drift = warnStyle.Render(env.Drift)
		}
		fmt.Fprintf(&b, "  %-12s %-14s %s\n", env.Name, account, drift)
	}
	b.WriteString("\n")
	for i, a := range s.actions {
		if i == s.cursor {
			b.WriteString(focusStyle.Render("› "+a) + "\n")
		} else {
			b.WriteString("  " + a + "\n")
		}
	}
	return b.String()
}
