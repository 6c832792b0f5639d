package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/orgstrap/orgstrap/internal/rotate"
)

// rotationPlannedMsg carries the result of Backend.PlanRotation.
type rotationPlannedMsg struct {
	plan *RotationPlan
	err  error
}

func planRotation(w *wizard) tea.Cmd {
	cfg := w.discovery.Config
	return func() tea.Msg {
		p, err := w.backend.PlanRotation(w.ctx, cfg)
		return rotationPlannedMsg{p, err}
	}
}

// modeLabels name the rotation modes on the screen.
var modeLabels = map[rotate.Mode]string{
	rotate.ModeInPlace: "in place",
	rotate.ModeReplace: "replace (blue/green)",
	rotate.ModeFinish:  "finish the replacement",
}

// rotateScreen picks the environments and the mode of a rotation, shows
// what it will do and requests confirmation. The rotation itself runs on the
// next screen.
type rotateScreen struct {
	w       *wizard
	spinner spinner.Model
	plan    *RotationPlan
	err     error
	// chosen marks the environments to rotate, by name; cursor is the
	// environment row in focus.
	chosen map[string]bool
	cursor int
	// modes are the modes offered: finishing only while a replacement is
	// pending. mode indexes them.
	modes      []rotate.Mode
	mode       int
	confirming bool
	problem    string
}

func newRotateScreen(w *wizard) *rotateScreen {
	return &rotateScreen{w: w, spinner: spinner.New(spinner.WithSpinner(spinner.Dot)), chosen: map[string]bool{}}
}

func (s *rotateScreen) Init() tea.Cmd {
	s.w.rotation, s.w.rotateErr = nil, nil
	return tea.Batch(s.spinner.Tick, planRotation(s.w))
}

func (s *rotateScreen) Typing() bool { return false }

func (s *rotateScreen) KeyMap() keyMap {
	switch {
	case s.confirming:
		return keyMap{keys.Yes, keys.No}
	case s.plan == nil:
		return keyMap{keys.Back, keys.Quit}
	}
	return keyMap{keys.Up, keys.Down, keys.Toggle, withHelp(keys.Choose, "mode"),
		withHelp(keys.Enter, "rotate"), keys.Back, keys.Quit}
}

func (s *rotateScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case rotationPlannedMsg:
		s.handlePlanned(msg)
	case spinner.TickMsg:
		if s.plan != nil || s.err != nil {
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

// handlePlanned chooses every environment that can be rotated, and
// offers finishing when a replacement is pending, first, because the
// other modes reject an environment whose previous role still exists.
func (s *rotateScreen) handlePlanned(msg rotationPlannedMsg) {
	s.plan, s.err = msg.plan, msg.err
	if msg.err != nil {
		return
	}
	for _, t := range s.plan.Environments {
		s.chosen[t.Name] = t.Unavailable == ""
	}
	s.modes = []rotate.Mode{rotate.ModeInPlace, rotate.ModeReplace}
	if s.plan.Pending() {
		s.modes = []rotate.Mode{rotate.ModeFinish, rotate.ModeInPlace, rotate.ModeReplace}
	}
}

func (s *rotateScreen) handleKey(k tea.KeyMsg) tea.Cmd {
	if s.confirming {
		switch {
		case key.Matches(k, keys.Yes):
			s.w.rotationEnvs, s.w.rotationMode = s.selected(), s.modes[s.mode]
			return navigate(screenRotating)
		case key.Matches(k, keys.No):
			s.confirming = false
		}
		return nil
	}
	if key.Matches(k, keys.Back) {
		return back
	}
	if s.plan == nil || len(s.plan.Environments) == 0 {
		return nil
	}
	s.problem = ""
	n := len(s.plan.Environments)
	switch {
	case key.Matches(k, keys.Up):
		s.cursor = (s.cursor + n - 1) % n
	case key.Matches(k, keys.Down, keys.Next):
		s.cursor = (s.cursor + 1) % n
	case key.Matches(k, keys.Toggle):
		s.toggle()
	case key.Matches(k, keys.Left):
		s.mode = (s.mode + len(s.modes) - 1) % len(s.modes)
	case key.Matches(k, keys.Right):
		s.mode = (s.mode + 1) % len(s.modes)
	case key.Matches(k, keys.Enter):
		if len(s.selected()) == 0 {
			s.problem = "Choose at least one environment (space)."
			return nil
		}
		s.confirming = true
	}
	return nil
}

func (s *rotateScreen) toggle() {
	t := s.plan.Environments[s.cursor]
	if t.Unavailable != "" {
		s.problem = t.Name + " cannot be rotated: " + t.Unavailable + "."
		return
	}
	s.chosen[t.Name] = !s.chosen[t.Name]
}

// selected returns the chosen environments in the config's order.
func (s *rotateScreen) selected() []string {
	var names []string
	for _, t := range s.plan.Environments {
		if s.chosen[t.Name] {
			names = append(names, t.Name)
		}
	}
	return names
}

func (s *rotateScreen) View(width, height int) string {
	switch {
	case s.err != nil:
		return errorStyle.Render(hangingIndent("✗ ", s.err.Error(), width)) + "\n\n" + errorHint(s.err) +
			"Nothing was changed. Press esc to go back."
	case s.plan == nil:
		return s.spinner.View() + " Reading the deploy roles of the environments…"
	}
	var b strings.Builder
	b.WriteString(titleStyle.Render("Rotate deployment roles") + "\n")
	// NOTE: the environment rows do not scroll. Only the description
	// below them shrinks, so past about 15 environments at 24 rows the
	// root model clips the end of the screen.
	for i, t := range s.plan.Environments {
		b.WriteString(s.targetLine(i, t, width) + "\n")
	}
	b.WriteString("\n" + labelStyle.Render("Mode ") + " ")
	for i, mode := range s.modes {
		if i == s.mode {
			b.WriteString(focusStyle.Render("(•) "+modeLabels[mode]) + "  ")
		} else {
			b.WriteString(dimStyle.Render("( ) "+modeLabels[mode]) + "  ")
		}
	}
	b.WriteString("\n\n")

	status := ""
	switch {
	case s.confirming:
		status = "\n" + confirmStyle.Render("Rotate these deploy roles? (y/n)")
	case s.problem != "":
		status = "\n" + warnStyle.Render(s.problem)
	}
	room := height - lineCount(b.String())
	if status != "" {
		room -= lineCount(status) + 1
	}
	b.WriteString(fitLines(s.description(width), room))
	b.WriteString(status)
	return b.String()
}

// description renders what the chosen mode will do in each chosen
// environment, and what that means for CI.
func (s *rotateScreen) description(width int) string {
	var b strings.Builder
	b.WriteString(titleStyle.Render("What will happen") + "\n")
	mode := s.modes[s.mode]
	for _, t := range s.plan.Environments {
		if s.chosen[t.Name] {
			b.WriteString(hangingIndent("• ", t.Actions[mode], width) + "\n")
		}
	}
	b.WriteString("\n" + dimStyle.Render(hangingIndent("", modeNotes[mode], width)) + "\n")
	return b.String()
}

// lineCount returns the number of newlines in s: the lines it fills when
// it ends with one.
func lineCount(s string) int { return strings.Count(s, "\n") }

// fitLines cuts text to at most room lines, the last of them saying how
// many were left out, so that what follows the text stays on screen.
func fitLines(text string, room int) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) <= room || room < 2 {
		return text
	}
	left := len(lines) - room + 1
	return strings.Join(lines[:room-1], "\n") + "\n" +
		dimStyle.Render(fmt.Sprintf("… %d more lines: choose fewer environments, or enlarge the terminal", left)) + "\n"
}

// targetLine renders an environment's row: whether it is chosen, its
// account, and its last rotation or why it cannot be rotated.
func (s *rotateScreen) targetLine(i int, t RotationTarget, width int) string {
	box := "[ ]"
	if s.chosen[t.Name] {
		box = "[x]"
	}
	state := "never rotated"
	switch {
	case t.Unavailable != "":
		box, state = " - ", t.Unavailable
	case t.InProgress:
		state = "a rotation is unfinished and resumes"
	case t.Replaces != "":
		state = "replaces " + t.Replaces + ", which finishing deletes"
	case !t.RotatedAt.IsZero():
		state = "last rotated " + t.RotatedAt.UTC().Format(time.RFC3339)
	}
	account := t.AccountID
	if account == "" {
		account = "no account"
	}
	line := clip(fmt.Sprintf("%s %-10s %-13s %s", box, t.Name, account, state), max(10, width-2))
	if i == s.cursor {
		return focusStyle.Render("› " + line)
	}
	return "  " + line
}

// modeNotes describe what each mode means for CI.
var modeNotes = map[rotate.Mode]string{
	rotate.ModeInPlace: "CI keeps the role ARN. Its sessions from before now stop working, " +
		"and a role with an external id needs the new one shown at the end.",
	rotate.ModeReplace: "The current roles keep working until you finish the replacement, " +
		"once CI uses the new role ARNs shown at the end.",
	rotate.ModeFinish: "Each previous role is deleted after the active one verifies, " +
		"so every environment keeps a working deploy role.",
}
