package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/orgstrap/orgstrap/internal/rotate"
)

// rotatedScreen shows the outcome of a rotation per environment in a
// scrollable pane. It is the only place a new external id appears: the
// events, the logs and the text printed after the wizard exits leave it
// out.
type rotatedScreen struct {
	w        *wizard
	viewport viewport.Model
	// contentWidth is the width the pane's content was rendered for.
	contentWidth int
}

func newRotatedScreen(w *wizard) *rotatedScreen {
	return &rotatedScreen{w: w, viewport: viewport.New(80, 10)}
}

func (s *rotatedScreen) Init() tea.Cmd { return nil }

func (s *rotatedScreen) Typing() bool { return false }

func (s *rotatedScreen) KeyMap() keyMap {
	return keyMap{keys.Up, keys.Down, keys.PageDown, withHelp(keys.Enter, "quit"), keys.Quit}
}

// QuitQuestion makes sure the new external ids were stored, because no
// later screen or command shows them again.
func (s *rotatedScreen) QuitQuestion() string {
	if s.w.rotation == nil || !s.w.rotation.ExternalIDs() {
		return ""
	}
	return "Quit? The new external ids are not shown again: store them first. (y/n)"
}

func (s *rotatedScreen) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, keys.Enter) {
		return requestQuit
	}
	var cmd tea.Cmd
	s.viewport, cmd = s.viewport.Update(msg)
	return cmd
}

func (s *rotatedScreen) View(width, height int) string {
	s.viewport.Width, s.viewport.Height = width, max(3, height)
	if width != s.contentWidth {
		s.viewport.SetContent(s.content(width))
		s.contentWidth = width
	}
	return s.viewport.View()
}

func (s *rotatedScreen) content(width int) string {
	r, err := s.w.rotation, s.w.rotateErr
	var b strings.Builder
	switch {
	case errors.Is(err, context.Canceled):
		b.WriteString(warnStyle.Render("Cancelled. Run the same rotation again to resume it.") + "\n\n")
	case err != nil && len(r.Environments) == 0:
		b.WriteString(errorStyle.Render(hangingIndent("✗ ", err.Error(), width)) + "\n\n" + errorHint(err))
	case err != nil:
		b.WriteString(errorStyle.Render(hangingIndent("", "The rotation failed in some environments. Fix the "+
			"problems below, then run the same rotation again: it resumes where it stopped.", width)) + "\n\n")
	default:
		b.WriteString(okStyle.Render("✓ "+modeDone[r.Mode]) + "\n\n")
	}
	b.WriteString(rotationLines(r, width, true))
	if r.ExternalIDs() {
		b.WriteString("\n" + confirmStyle.Render(hangingIndent("", "Store each new external id now in the "+
			"secret store your CI reads it from, such as a GitHub Actions secret. This screen is the only "+
			"place orgstrap shows it: it is neither logged nor written to a file, and the external_id in "+
			"orgstrap.yaml no longer applies to these roles.", width)) + "\n")
	}
	if note := rotationNextStep(r); note != "" {
		b.WriteString("\n" + hangingIndent("", note, width) + "\n")
	}
	return b.String()
}

// modeDone heads the result of a rotation that succeeded everywhere.
var modeDone = map[rotate.Mode]string{
	rotate.ModeInPlace: "Rotated the deploy roles in place.",
	rotate.ModeReplace: "Created and switched to the next generation of the deploy roles.",
	rotate.ModeFinish:  "Finished the replacement of the deploy roles.",
}

// rotationLines renders each environment's outcome. The external ids
// appear only when withIDs is set.
func rotationLines(r *RotationResult, width int, withIDs bool) string {
	nameWidth := 0
	for _, env := range r.Environments {
		nameWidth = max(nameWidth, len(env.Name))
	}
	var b strings.Builder
	for _, env := range r.Environments {
		head := fmt.Sprintf("✓ %-*s  ", nameWidth, env.Name)
		indent := strings.Repeat(" ", len([]rune(head)))
		if env.Err != nil {
			b.WriteString(errorStyle.Render(hangingIndent(fmt.Sprintf("✗ %-*s  ", nameWidth, env.Name), env.Err.Error(), width)) + "\n")
			if env.Fix != "" {
				b.WriteString(warnStyle.Render(hangingIndent(indent+"fix: ", env.Fix, width)) + "\n")
			}
			continue
		}
		for i, field := range rotationFields(r.Mode, env, withIDs) {
			prefix := indent
			if i == 0 {
				prefix = head
			}
			b.WriteString(hangingIndent(prefix+fmt.Sprintf("%-12s ", field[0]), field[1], width) + "\n")
		}
	}
	return b.String()
}

// rotationFields returns the label and value of each line of an
// environment's outcome in mode.
func rotationFields(mode rotate.Mode, env RotatedEnvironment, withIDs bool) [][2]string {
	resumed := ""
	if env.Resumed {
		resumed = " (resumed an interrupted run)"
	}
	var fields [][2]string
	switch mode {
	case rotate.ModeInPlace:
		fields = [][2]string{
			{"role", env.RoleARN},
			{"rotated", env.RotatedAt.UTC().Format(time.RFC3339) + resumed},
			{"revoked", "sessions issued before " + env.RevokedBefore.UTC().Format(time.RFC3339)},
		}
	case rotate.ModeReplace:
		fields = [][2]string{
			{"new role", env.RoleARN},
			{"generation", fmt.Sprint(env.Generation) + resumed},
			{"previous", env.PreviousRoleARN},
			{"revoked", "nothing yet: the previous role works until finishing deletes it"},
		}
	case rotate.ModeFinish:
		deleted := "nothing: no replacement was pending"
		revoked := "nothing"
		if env.Deleted != "" {
			deleted, revoked = env.Deleted, "every session of the deleted role"
		}
		fields = [][2]string{{"role", env.RoleARN}, {"deleted", deleted}, {"revoked", revoked}}
	}
	if env.ExternalID != "" {
		id := "replaced, shown only in the wizard"
		if withIDs {
			id = env.ExternalID
		}
		fields = append(fields, [2]string{"external id", id})
	}
	return fields
}

// rotationNextStep returns what to do after r, or "".
func rotationNextStep(r *RotationResult) string {
	if r.Mode != rotate.ModeReplace || len(r.Environments) == 0 {
		return ""
	}
	return "The AWS CLI profiles use the new roles already. Change the role ARN in CI to the new role. " +
		"Once CI uses it, finish the replacement to delete the previous role: choose rotate deployment " +
		"roles again here, or run orgstrap rotate --finish."
}

// RotationSummary renders the outcome of a rotation as plain text,
// without the external ids, so the command can print it after the wizard
// exits and no new id lands in a terminal's scrollback or a CI log.
func RotationSummary(r *RotationResult) string {
	if r == nil || len(r.Environments) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(rotationLines(r, 100, false))
	if note := rotationNextStep(r); note != "" {
		b.WriteString("\n" + note + "\n")
	}
	return b.String()
}
