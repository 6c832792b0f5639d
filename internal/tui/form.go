package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// field is one line of a form: a text input, or a choice among fixed
// options when options is set.
type field struct {
	label string
	// hint explains the field under the form while it has the focus.
	hint    string
	input   textinput.Model
	options []string
	choice  int
}

// newTextField returns a text field holding value.
func newTextField(label, value, hint string) *field {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 256
	in.SetValue(value)
	return &field{label: label, hint: hint, input: in}
}

// newChoiceField returns a field cycling through options, starting at the
// one equal to value.
func newChoiceField(label, value, hint string, options []string) *field {
	f := &field{label: label, hint: hint, options: options}
	for i, o := range options {
		if o == value {
			f.choice = i
		}
	}
	return f
}

// Value returns the text, or the chosen option.
func (f *field) Value() string {
	if f.options != nil {
		return f.options[f.choice]
	}
	return strings.TrimSpace(f.input.Value())
}

// form is a list of fields with one focused. It moves the focus and edits
// the focused field. Enter and esc are left to the screen holding it.
type form struct {
	fields []*field
	focus  int
	width  int
	// inactive renders the form with no field focused, for a screen whose
	// cursor is elsewhere.
	inactive bool
}

func newForm(fields ...*field) *form {
	f := &form{fields: fields, width: 80}
	f.setFocus(0)
	return f
}

// typing reports whether keys go into a text input, so q is a letter, not
// quit.
func (f *form) typing() bool {
	return len(f.fields) > 0 && f.fields[f.focus].options == nil
}

func (f *form) setFocus(i int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	f.focus = (i + len(f.fields)) % len(f.fields)
	var cmd tea.Cmd
	for j, fl := range f.fields {
		if j == f.focus && fl.options == nil {
			cmd = fl.input.Focus()
		} else {
			fl.input.Blur()
		}
	}
	return cmd
}

// Update moves the focus on tab, shift+tab and the arrows, cycles a choice
// on left, right and space, and sends other keys to a focused text input.
func (f *form) Update(msg tea.Msg) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	current := f.fields[f.focus]
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, keys.Next, keys.Down):
			return f.setFocus(f.focus + 1)
		case key.Matches(k, keys.Prev, keys.Up):
			return f.setFocus(f.focus - 1)
		}
		if current.options != nil {
			switch {
			case key.Matches(k, keys.Right, keys.Toggle):
				current.choice = (current.choice + 1) % len(current.options)
			case key.Matches(k, keys.Left):
				current.choice = (current.choice - 1 + len(current.options)) % len(current.options)
			}
			return nil
		}
	}
	if current.options != nil {
		return nil
	}
	var cmd tea.Cmd
	current.input, cmd = current.input.Update(msg)
	return cmd
}

// View renders one line per field and the focused field's hint.
func (f *form) View() string {
	labelWidth := 0
	for _, fl := range f.fields {
		labelWidth = max(labelWidth, len(fl.label))
	}
	valueWidth := max(10, f.width-labelWidth-6)
	var b strings.Builder
	for i, fl := range f.fields {
		focused := i == f.focus && !f.inactive
		marker, label := "  ", labelStyle.Render(fmt.Sprintf("%-*s", labelWidth, fl.label))
		if focused {
			marker, label = focusStyle.Render("› "), focusStyle.Render(fmt.Sprintf("%-*s", labelWidth, fl.label))
		}
		fmt.Fprintf(&b, "%s%s  %s\n", marker, label, fl.render(focused, valueWidth))
	}
	if hint := f.fields[f.focus].hint; hint != "" && !f.inactive {
		b.WriteString("\n" + dimStyle.Render(hint) + "\n")
	}
	return b.String()
}

func (fl *field) render(focused bool, width int) string {
	if fl.options == nil {
		fl.input.Width = width - 2
		return "  " + fl.input.View()
	}
	value := fl.options[fl.choice]
	if focused {
		return focusStyle.Render("‹ " + value + " ›")
	}
	return "  " + value
}
