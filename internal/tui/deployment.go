package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/orgstrap/orgstrap/internal/config"
)

// deploymentScreen picks the frameworks from the library and the services,
// regions and role name of the deployment roles. The cursor runs over the
// framework rows first, then over the form's fields.
type deploymentScreen struct {
	w        *wizard
	cursor   int
	chosen   map[string]bool
	form     *form
	problems []config.Problem
}

func newDeploymentScreen(w *wizard) *deploymentScreen {
	d := w.draft.Deployment
	s := &deploymentScreen{w: w, chosen: map[string]bool{}}
	for _, p := range d.Profiles {
		s.chosen[p] = true
	}
	s.form = newForm(
		newTextField("Services", strings.Join(d.Services, ", "),
			"The services the roles deploy, comma-separated; resource names start with them."),
		newTextField("Regions", strings.Join(d.Regions, ", "), "The regions deployed to, comma-separated."),
		newTextField("Role name", d.RoleName, "The deployment role's name in every account."),
	)
	s.form.fields[0].input.Blur()
	return s
}

func (s *deploymentScreen) Init() tea.Cmd { return nil }

func (s *deploymentScreen) inForm() bool { return s.cursor >= len(s.w.frameworks) }

func (s *deploymentScreen) Typing() bool { return s.inForm() }

func (s *deploymentScreen) KeyMap() keyMap {
	km := keyMap{keys.Up, keys.Down}
	if !s.inForm() {
		km = append(km, keys.Toggle)
	}
	return append(km, keys.Enter, keys.Back, keys.Quit)
}

func (s *deploymentScreen) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if s.inForm() {
			return s.form.Update(msg)
		}
		return nil
	}
	rows := len(s.w.frameworks) + len(s.form.fields)
	switch {
	case key.Matches(k, keys.Up, keys.Prev):
		return s.moveTo((s.cursor + rows - 1) % rows)
	case key.Matches(k, keys.Down, keys.Next):
		return s.moveTo((s.cursor + 1) % rows)
	case key.Matches(k, keys.Back):
		return back
	case key.Matches(k, keys.Enter):
		return s.submit()
	case !s.inForm() && key.Matches(k, keys.Toggle):
		name := s.w.frameworks[s.cursor].Name
		s.chosen[name] = !s.chosen[name]
		return nil
	}
	if s.inForm() {
		return s.form.Update(k)
	}
	return nil
}

func (s *deploymentScreen) moveTo(cursor int) tea.Cmd {
	s.cursor = cursor
	if !s.inForm() {
		for _, f := range s.form.fields {
			f.input.Blur()
		}
		return nil
	}
	return s.form.setFocus(s.cursor - len(s.w.frameworks))
}

// submit stores the choices in the draft and moves on when they are valid.
func (s *deploymentScreen) submit() tea.Cmd {
	d := &s.w.draft.Deployment
	d.Profiles = nil
	for _, f := range s.w.frameworks {
		if s.chosen[f.Name] {
			d.Profiles = append(d.Profiles, f.Name)
		}
	}
	// Keep profiles the config names but this library lacks, so validation
	// reports them instead of the wizard dropping them silently.
	for name, on := range s.chosen {
		if on && !slices.Contains(d.Profiles, name) {
			d.Profiles = append(d.Profiles, name)
		}
	}
	d.Services = splitList(s.form.fields[0].Value())
	d.Regions = splitList(s.form.fields[1].Value())
	d.RoleName = s.form.fields[2].Value()

	_, problems, err := checkDraft(s.w.draft, s.w.profileNames(), "deployment")
	if err != nil {
		problems = []config.Problem{{Path: "deployment", Message: err.Error()}}
	}
	s.problems = problems
	if len(problems) > 0 {
		return nil
	}
	return navigate(screenTrust)
}

func (s *deploymentScreen) View(width, height int) string {
	var b strings.Builder
	b.WriteString(titleStyle.Render("Frameworks") + dimStyle.Render("  (space toggles)") + "\n")
	if len(s.w.frameworks) == 0 {
		b.WriteString(warnStyle.Render("  The policy library offers no profiles.") + "\n")
	}
	for i, f := range s.w.frameworks {
		box := "[ ]"
		if s.chosen[f.Name] {
			box = "[x]"
		}
		line := fmt.Sprintf("%s %-22s %s", box, f.Name, dimStyle.Render(clip(f.Description, max(10, width-30))))
		if i == s.cursor {
			line = focusStyle.Render("› "+box+" "+fmt.Sprintf("%-22s", f.Name)) + " " +
				dimStyle.Render(clip(f.Description, max(10, width-30)))
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	if !s.inForm() {
		// The focused framework's description in full, since the list clips it.
		b.WriteString("\n" + dimStyle.Render(hangingIndent("  ", s.w.frameworks[s.cursor].Description, width)) + "\n")
	}
	b.WriteString("\n" + titleStyle.Render("Deployment role") + "\n")
	s.form.width = width
	s.form.inactive = !s.inForm()
	b.WriteString(s.form.View())
	b.WriteString("\n" + problemLines(s.problems, width))
	return b.String()
}
