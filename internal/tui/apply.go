package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// eventMsg is one progress event; applyDoneMsg ends the apply.
type (
	eventMsg     Event
	applyDoneMsg struct {
		result *Result
		err    error
	}
	elapsedMsg time.Time
)

// startApply runs Backend.Apply and forwards its events to updates, in
// order, followed by one applyDoneMsg.
func startApply(ctx context.Context, w *wizard, updates chan<- tea.Msg) tea.Cmd {
	cfg := w.valid
	return func() tea.Msg {
		events := make(chan Event, 64)
		forwarded := make(chan struct{})
		go func() {
			defer close(forwarded)
			for e := range events {
				updates <- eventMsg(e)
			}
		}()
		result, err := w.backend.Apply(ctx, cfg, events)
		close(events)
		<-forwarded
		updates <- applyDoneMsg{result, err}
		return nil
	}
}

// nextUpdate waits for the next message of a running apply.
func nextUpdate(updates <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-updates }
}

func tickElapsed() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return elapsedMsg(t) })
}

// applyScreen shows the running apply: a spinner per environment, the
// overall progress, the elapsed time and the latest log lines.
type applyScreen struct {
	w *wizard
	runProgress
	bar      progress.Model
	started  time.Time
	now      time.Time
	updates  chan tea.Msg
	cancel   context.CancelFunc
	canceled bool
	err      error
}

func newApplyScreen(w *wizard) *applyScreen {
	s := &applyScreen{
		w:           w,
		runProgress: runProgress{spinner: spinner.New(spinner.WithSpinner(spinner.Dot))},
		bar:         progress.New(progress.WithDefaultGradient(), progress.WithoutPercentage()),
		updates:     make(chan tea.Msg, 64),
	}
	for _, env := range w.valid.Environments {
		s.envs = append(s.envs, &envProgress{name: env.Name, message: "waiting"})
	}
	return s
}

func (s *applyScreen) Init() tea.Cmd {
	ctx, cancel := context.WithCancel(s.w.ctx)
	s.cancel, s.running = cancel, true
	s.started, s.now = time.Now(), time.Now()
	return tea.Batch(s.spinner.Tick, tickElapsed(), startApply(ctx, s.w, s.updates), nextUpdate(s.updates))
}

// Running reports whether the apply is still going, so the root model
// confirms before quitting.
func (s *applyScreen) Running() bool { return s.running }

// Cancel stops the apply; the screen stays until the engine returns.
func (s *applyScreen) Cancel() {
	s.canceled = true
	s.cancel()
}

func (s *applyScreen) Typing() bool { return false }

func (s *applyScreen) KeyMap() keyMap {
	if s.running {
		return keyMap{keys.Cancel}
	}
	if s.err == nil {
		return keyMap{withHelp(keys.Enter, "summary"), keys.Quit}
	}
	return keyMap{keys.Quit}
}

func (s *applyScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case eventMsg:
		s.handleEvent(Event(msg))
		return nextUpdate(s.updates)
	case applyDoneMsg:
		return s.handleDone(msg)
	case elapsedMsg:
		if !s.running {
			return nil
		}
		s.now = time.Time(msg)
		return tickElapsed()
	case spinner.TickMsg:
		if !s.running {
			return nil
		}
		var cmd tea.Cmd
		s.spinner, cmd = s.spinner.Update(msg)
		return cmd
	case tea.KeyMsg:
		if !s.running && s.err == nil && key.Matches(msg, keys.Enter) {
			return navigate(screenSummary)
		}
	}
	return nil
}

func (s *applyScreen) handleDone(msg applyDoneMsg) tea.Cmd {
	s.running = false
	s.cancel()
	s.err = msg.err
	s.w.applyTime = time.Since(s.started)
	s.w.result, s.w.applyErr = msg.result, msg.err
	for _, env := range s.envs {
		if !env.done && msg.err != nil {
			env.done, env.err = true, errors.New("stopped before it finished")
		}
	}
	if msg.err == nil {
		return navigate(screenSummary)
	}
	return nil
}

// overall returns the apply's progress from 0 to 1.
func (s *applyScreen) overall() float64 {
	if len(s.envs) == 0 {
		return 0
	}
	total := 0.0
	for _, env := range s.envs {
		total += env.fraction
	}
	return total / float64(len(s.envs))
}

func (s *applyScreen) View(width, height int) string {
	var b strings.Builder
	elapsed := s.now.Sub(s.started).Truncate(time.Second)
	s.bar.Width = max(10, width-24)
	fmt.Fprintf(&b, "%s %3.0f%%  %s\n\n", s.bar.ViewAs(s.overall()), s.overall()*100,
		dimStyle.Render("elapsed "+elapsed.String()))
	envs, fixShown := s.envLines(width)
	b.WriteString(envs)

	b.WriteString("\n" + titleStyle.Render("Log") + "\n")
	log := s.log
	if fixShown {
		// Leave the room to the fixes.
		log = log[max(0, len(log)-3):]
	}
	for _, line := range log {
		b.WriteString(dimStyle.Render("  "+clip(line, max(10, width-4))) + "\n")
	}
	switch {
	case s.running && s.canceled:
		b.WriteString("\n" + warnStyle.Render("Cancelling: waiting for the calls in flight to return…"))
	case !s.running && s.canceled:
		b.WriteString("\n" + warnStyle.Render("Cancelled. Run orgstrap again to resume where this stopped."))
	case !s.running && s.err != nil:
		b.WriteString("\n" + errorStyle.Render(hangingIndent("", "The apply failed. Fix the problems above, "+
			"then run orgstrap again: it resumes where this stopped.", width)) + "\n")
		if !fixShown {
			b.WriteString(errorStyle.Render(hangingIndent("", s.err.Error(), width)) + "\n" + errorHint(s.err))
		}
	}
	return b.String()
}
