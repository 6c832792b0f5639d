package tui

import "github.com/charmbracelet/bubbles/key"

// keys are every binding the wizard uses. Screens pick the ones they
// honour into their own help.KeyMap, so the help line lists only what
// works on the screen shown.
var keys = struct {
	Up, Down, Next, Prev, Left, Right key.Binding
	// Choose only shows left and right as one entry in the help line.
	Choose                       key.Binding
	Enter, Back, Quit, ForceQuit key.Binding
	Toggle, Add, Remove, Edit    key.Binding
	Yes, No, PageUp, PageDown    key.Binding
	// Cancel is only the help entry of q and ctrl+c while applying.
	Cancel key.Binding
}{
	Cancel:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q/ctrl+c", "cancel")),
	Up:        key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
	Down:      key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
	Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
	Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous")),
	Left:      key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "choose")),
	Right:     key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "choose")),
	Choose:    key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose")),
	Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
	Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	Toggle:    key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle")),
	Add:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
	Remove:    key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
	Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
	Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
	No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
	PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
	PageDown:  key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "scroll down")),
}

// keyMap is a screen's bindings, in the order the help line shows them.
type keyMap []key.Binding

// ShortHelp returns the bindings for the one-line help.
func (k keyMap) ShortHelp() []key.Binding { return k }

// FullHelp returns the bindings as one column.
func (k keyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k} }

// withHelp returns b with its help text set to desc, so a screen can name
// the action of enter or esc there.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
