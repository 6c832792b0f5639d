package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/rotate"
)

// screenID names a screen of the wizard, in the order they come.
type screenID int

const (
	screenIdentity screenID = iota
	screenEnvironments
	screenDeployment
	screenTrust
	screenReview
	screenApply
	screenSummary
	// The rotation of a managed organization's deploy roles, which starts
	// from the identity screen.
	screenRotate
	screenRotating
	screenRotated
)

var screenTitles = []string{"Identity", "Environments", "Deployment", "Trust", "Review", "Apply", "Summary",
	"Rotate", "Rotating", "Rotated"}

// step returns the position of id in its flow and the flow's length, for
// the header: the setup flow runs from identity to summary, the rotation
// flow from identity to the rotation's result.
func step(id screenID) (int, int) {
	if id >= screenRotate {
		return int(id-screenRotate) + 2, int(screenRotated-screenRotate) + 2
	}
	return int(id) + 1, int(screenSummary) + 1
}

// screen is one step of the wizard. Screens share the wizard state and
// mutate it; they return commands for anything that does I/O.
type screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	View(width, height int) string
	KeyMap() keyMap
	// Typing reports whether keys go into a text input, so q is a letter.
	Typing() bool
}

// canceller is a screen with work that quitting must stop first.
type canceller interface {
	Running() bool
	Cancel()
}

// quitConfirmer is a screen that confirms before the wizard quits:
// QuitQuestion returns the question, or "" when quitting needs no
// confirmation. A running canceller that is no quitConfirmer gets the
// apply's question.
type quitConfirmer interface {
	QuitQuestion() string
}

// quitMsg requests the root model to quit as q does, with the screen's
// confirmation first when it has one.
type quitMsg struct{}

func requestQuit() tea.Msg { return quitMsg{} }

// navigateMsg moves to a screen; backMsg returns to the previous one.
type (
	navigateMsg struct{ to screenID }
	backMsg     struct{}
)

func navigate(to screenID) tea.Cmd { return func() tea.Msg { return navigateMsg{to} } }
func back() tea.Msg                { return backMsg{} }

// wizard is the state every screen shares.
type wizard struct {
	ctx        context.Context
	backend    Backend
	frameworks []Framework
	discovery  *Discovery
	// draft is the config being built; baseEmail the address account emails
	// are suggested from.
	draft     *config.Config
	baseEmail string
	// adding marks the add-an-environment flow of a managed organization:
	// the existing environments stay as they are.
	adding    int
	review    *Review
	valid     *config.Config
	result    *Result
	applyErr  error
	applyTime time.Duration

	// accessToCheck holds the ids of adopted accounts whose access level
	// is a default rather than read from their deploy role. Saving the
	// environment's form clears its entry.
	accessToCheck map[string]bool

	// rotationEnvs and rotationMode are the rotation the user confirmed;
	// rotation is its outcome, and rotateErr its error.
	rotationEnvs []string
	rotationMode rotate.Mode
	rotation     *RotationResult
	rotateErr    error
	// err is the discovery error that ended the wizard.
	err error
}

// profileNames returns the library's profile names for validation.
func (w *wizard) profileNames() []string {
	names := make([]string, 0, len(w.frameworks))
	for _, f := range w.frameworks {
		names = append(names, f.Name)
	}
	return names
}

// Model is the wizard's root model: the current screen, the terminal size
// and the quit confirmation.
type Model struct {
	w       *wizard
	id      screenID
	screen  screen
	history []screenID
	width   int
	height  int
	help    help.Model
	// confirming shows the quit question; quitting waits for the running
	// apply to stop before the program exits.
	confirming bool
	quitting   bool
}

// NewModel returns the wizard's root model on backend, starting at the
// identity screen. ctx bounds every backend call.
func NewModel(ctx context.Context, backend Backend) *Model {
	w := &wizard{ctx: ctx, backend: backend, frameworks: backend.Frameworks()}
	m := &Model{w: w, width: 80, height: 24, help: help.New()}
	m.id, m.screen = screenIdentity, newIdentityScreen(w)
	return m
}

// Result returns what apply built, nil unless the wizard got that far.
func (m *Model) Result() *Result { return m.w.result }

// SummaryText returns the summary of a successful apply as plain text, or
// "" when the wizard ended before one. After a rotation it returns the
// rotation's outcome without the external ids, which only the wizard's
// screen shows.
func (m *Model) SummaryText() string {
	if m.w.rotation != nil {
		return RotationSummary(m.w.rotation)
	}
	if m.w.applyErr != nil {
		return ""
	}
	return Summary(m.w.valid, m.w.result)
}

// Err returns why the wizard could not finish its work: the discovery or
// apply error, nil when it finished or the user quit before applying.
func (m *Model) Err() error {
	switch {
	case errors.Is(m.w.rotateErr, context.Canceled):
		return errors.New("rotation cancelled: run the same rotation again to resume it")
	case m.w.rotateErr != nil:
		return fmt.Errorf("rotation failed: %w", m.w.rotateErr)
	case errors.Is(m.w.applyErr, context.Canceled):
		return errors.New("apply cancelled: run orgstrap again to resume where it stopped")
	case m.w.applyErr != nil:
		return fmt.Errorf("apply failed: %w", m.w.applyErr)
	}
	return m.w.err
}

// Init starts the first screen.
func (m *Model) Init() tea.Cmd { return m.screen.Init() }

// Update handles resizes, quitting and navigation, and passes every other
// message to the current screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case tea.KeyMsg:
		if cmd, handled := m.handleKey(msg); handled {
			return m, cmd
		}
	case navigateMsg:
		m.history = append(m.history, m.id)
		return m, m.show(msg.to)
	case backMsg:
		if len(m.history) == 0 {
			return m, nil
		}
		to := m.history[len(m.history)-1]
		m.history = m.history[:len(m.history)-1]
		return m, m.show(to)
	case quitMsg:
		return m, m.quit()
	case applyDoneMsg:
		if m.quitting {
			cmd := m.screen.Update(msg)
			return m, tea.Batch(cmd, tea.Quit)
		}
	case rotateDoneMsg:
		return m, m.handleRotateDone(msg)
	}
	return m, m.screen.Update(msg)
}

// handleKey handles the keys that work on every screen.
func (m *Model) handleKey(k tea.KeyMsg) (tea.Cmd, bool) {
	if m.confirming {
		switch {
		case key.Matches(k, keys.Yes):
			m.confirming, m.quitting = false, true
			if c, ok := m.screen.(canceller); ok && c.Running() {
				c.Cancel()
				return nil, true
			}
			return tea.Quit, true
		case key.Matches(k, keys.No):
			m.confirming = false
		}
		return nil, true
	}
	quit := key.Matches(k, keys.ForceQuit) || (key.Matches(k, keys.Quit) && !m.screen.Typing())
	if !quit {
		return nil, false
	}
	return m.quit(), true
}

// quit quits, or shows the screen's quit question first.
func (m *Model) quit() tea.Cmd {
	if m.quitting {
		return nil
	}
	if m.quitQuestion() != "" {
		m.confirming = true
		return nil
	}
	return tea.Quit
}

// quitQuestion returns the question to confirm before quitting, or "".
func (m *Model) quitQuestion() string {
	if a, ok := m.screen.(quitConfirmer); ok {
		return a.QuitQuestion()
	}
	if c, ok := m.screen.(canceller); ok && c.Running() {
		return "Cancel the apply and quit? Finished steps stay; a re-run resumes. (y/n)"
	}
	return ""
}

// handleRotateDone ends a rotation. When the user asked to quit during
// it, the wizard quits, unless the rotation made new external ids: they
// are shown on no other screen, so the result screen comes first.
func (m *Model) handleRotateDone(msg rotateDoneMsg) tea.Cmd {
	cmd := m.screen.Update(msg)
	if !m.quitting {
		return cmd
	}
	if msg.result != nil && msg.result.ExternalIDs() {
		m.quitting = false
		return cmd
	}
	return tea.Quit
}

// show makes id the current screen, building it afresh from the shared
// state so it reflects what earlier screens changed.
func (m *Model) show(id screenID) tea.Cmd {
	m.id = id
	switch id {
	case screenIdentity:
		m.screen = newIdentityScreen(m.w)
	case screenEnvironments:
		m.screen = newEnvironmentsScreen(m.w)
	case screenDeployment:
		m.screen = newDeploymentScreen(m.w)
	case screenTrust:
		m.screen = newTrustScreen(m.w)
	case screenReview:
		m.screen = newReviewScreen(m.w)
	case screenApply:
		m.history = nil // the changes are made: there is no going back
		m.screen = newApplyScreen(m.w)
	case screenSummary:
		m.history = nil
		m.screen = newSummaryScreen(m.w)
	case screenRotate:
		m.screen = newRotateScreen(m.w)
	case screenRotating:
		m.history = nil
		m.screen = newRotatingScreen(m.w)
	case screenRotated:
		m.history = nil
		m.screen = newRotatedScreen(m.w)
	}
	return m.screen.Init()
}

// View renders the header, the screen and the help line.
func (m *Model) View() string {
	n, total := step(m.id)
	header := titleStyle.Render("orgstrap") + "  " +
		stepStyle.Render(fmt.Sprintf("step %d of %d: ", n, total)) +
		currentStep.Render(screenTitles[m.id])

	footer := m.help.View(m.screen.KeyMap())
	if m.confirming {
		footer = confirmStyle.Render(m.quitQuestion())
	} else if m.quitting {
		footer = warnStyle.Render("Stopping: waiting for the running calls to return…")
	}

	bodyHeight := max(1, m.height-4)
	body := m.screen.View(m.width, bodyHeight)
	body = lipgloss.NewStyle().MaxHeight(bodyHeight).MaxWidth(m.width).Render(body)
	if n := strings.Count(body, "\n") + 1; n < bodyHeight {
		body += strings.Repeat("\n", bodyHeight-n)
	}
	return header + "\n\n" + body + "\n\n" + lipgloss.NewStyle().MaxWidth(m.width).Render(footer)
}

// unsavedQuestion is asked before quitting a settings screen, because the
// wizard writes orgstrap.yaml only when the user confirms the review.
const unsavedQuestion = "Quit the wizard? The settings you entered are not saved. (y/n)"

func (s *environmentsScreen) QuitQuestion() string { return unsavedQuestion }
func (s *deploymentScreen) QuitQuestion() string   { return unsavedQuestion }
func (s *trustScreen) QuitQuestion() string        { return unsavedQuestion }
func (s *reviewScreen) QuitQuestion() string       { return unsavedQuestion }
