package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/orgstrap/orgstrap/internal/rotate"
)

// rotateDoneMsg ends a rotation.
type rotateDoneMsg struct {
	result *RotationResult
	err    error
}

// startRotation runs Backend.Rotate and forwards its events to updates,
// in order, followed by one rotateDoneMsg.
func startRotation(ctx context.Context, w *wizard, updates chan<- tea.Msg) tea.Cmd {
	cfg, envs, mode := w.discovery.Config, w.rotationEnvs, w.rotationMode
	return func() tea.Msg {
		events := make(chan Event, 64)
		forwarded := make(chan struct{})
		go func() {
			defer close(forwarded)
			for e := range events {
				updates <- eventMsg(e)
			}
		}()
		result, err := w.backend.Rotate(ctx, cfg, envs, mode, events)
		close(events)
		<-forwarded
		updates <- rotateDoneMsg{result, err}
		return nil
	}
}

// rotatingScreen shows a running rotation: a spinner per environment, the
// elapsed time and the latest log lines. It moves to the result screen
// when the rotation returns, failed or not, because an environment that
// finished may have a new external id to show.
type rotatingScreen struct {
	w *wizard
	runProgress
	started  time.Time
	now      time.Time
	updates  chan tea.Msg
	cancel   context.CancelFunc
	canceled bool
}

func newRotatingScreen(w *wizard) *rotatingScreen {
	s := &rotatingScreen{
		w:           w,
		runProgress: runProgress{spinner: spinner.New(spinner.WithSpinner(spinner.Dot)), noFraction: true},
		updates:     make(chan tea.Msg, 64),
	}
	for _, name := range w.rotationEnvs {
		s.envs = append(s.envs, &envProgress{name: name, message: "waiting"})
	}
	return s
}

func (s *rotatingScreen) Init() tea.Cmd {
	ctx, cancel := context.WithCancel(s.w.ctx)
	s.cancel, s.running = cancel, true
	s.started, s.now = time.Now(), time.Now()
	return tea.Batch(s.spinner.Tick, tickElapsed(), startRotation(ctx, s.w, s.updates), nextUpdate(s.updates))
}

// Running reports whether the rotation is still going.
func (s *rotatingScreen) Running() bool { return s.running }

// Cancel stops the rotation; the screen stays until the engine returns.
func (s *rotatingScreen) Cancel() {
	s.canceled = true
	s.cancel()
}

// QuitQuestion returns the confirmation shown before a running rotation
// is cancelled, or "" when none is running.
func (s *rotatingScreen) QuitQuestion() string {
	if !s.running {
		return ""
	}
	return "Cancel the rotation and quit? Running it again resumes it. (y/n)"
}

func (s *rotatingScreen) Typing() bool { return false }

func (s *rotatingScreen) KeyMap() keyMap { return keyMap{keys.Cancel} }

func (s *rotatingScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case eventMsg:
		s.handleEvent(Event(msg))
		return nextUpdate(s.updates)
	case rotateDoneMsg:
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
	}
	return nil
}

func (s *rotatingScreen) handleDone(msg rotateDoneMsg) tea.Cmd {
	s.running = false
	s.cancel()
	s.w.rotation, s.w.rotateErr = msg.result, msg.err
	if msg.result == nil {
		// The rotation failed before it began, as when planning failed.
		s.w.rotation = &RotationResult{Mode: s.w.rotationMode}
	}
	for _, env := range s.envs {
		if !env.done && msg.err != nil {
			env.done, env.err = true, errors.New("stopped before it finished")
		}
	}
	return navigate(screenRotated)
}

func (s *rotatingScreen) View(width, height int) string {
	var b strings.Builder
	elapsed := s.now.Sub(s.started).Truncate(time.Second)
	b.WriteString(titleStyle.Render(modeTitles[s.w.rotationMode]) + "  " + dimStyle.Render("elapsed "+elapsed.String()) + "\n\n")
	envs, _ := s.envLines(width)
	b.WriteString(envs)
	b.WriteString("\n" + titleStyle.Render("Log") + "\n")
	for _, line := range s.log {
		b.WriteString(dimStyle.Render("  "+clip(line, max(10, width-4))) + "\n")
	}
	if s.canceled {
		b.WriteString("\n" + warnStyle.Render("Cancelling: waiting for the calls in flight to return…"))
	}
	return b.String()
}

// modeTitles head the screens of a running or finished rotation.
var modeTitles = map[rotate.Mode]string{
	rotate.ModeInPlace: "Rotating the deploy roles in place",
	rotate.ModeReplace: "Replacing the deploy roles (blue/green)",
	rotate.ModeFinish:  "Finishing the replacement of the deploy roles",
}
