package tui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// These tests run the wizard in a real tea.Program through teatest, so the
// program loop, the command goroutines and the renderer take part.

func waitForOutput(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(out []byte) bool { return bytes.Contains(out, []byte(text)) },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func TestProgramEnvironmentsAndBack(t *testing.T) {
	backend, _ := newTestBackend(t, sandbox.Options{})
	tm := teatest.NewTestModel(t, NewModel(context.Background(), backend), teatest.WithInitialTermSize(80, 24))

	waitForOutput(t, tm, "What will happen")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitForOutput(t, tm, "Base email")
	tm.Type("aws@acme.test")
	waitForOutput(t, tm, "aws+prod@acme.test")
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	waitForOutput(t, tm, "aws+staging@acme.test")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitForOutput(t, tm, "enter continue")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})

	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if final.id != screenIdentity {
		t.Errorf("screen after esc: got %s, want Identity", screenTitles[final.id])
	}
	if got := len(final.w.draft.Environments); got != 3 {
		t.Errorf("environments kept after esc: got %d, want 3", got)
	}
	requireGolden(t, normalize(final.View()))
}

func TestProgramRedrawsOnResize(t *testing.T) {
	backend, _ := newTestBackend(t, sandbox.Options{})
	tm := teatest.NewTestModel(t, NewModel(context.Background(), backend), teatest.WithInitialTermSize(80, 24))

	waitForOutput(t, tm, "What will happen")
	tm.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	// At 100 columns the line no longer wraps.
	waitForOutput(t, tm, "restricted by a permissions boundary in prod")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})

	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if final.width != 100 || final.height != 30 {
		t.Errorf("size after resize: got %dx%d, want 100x30", final.width, final.height)
	}
	requireGolden(t, normalize(final.View()))
}
