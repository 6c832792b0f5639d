package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWizardNeedsATerminal(t *testing.T) {
	for _, args := range [][]string{{}, {"init"}} {
		t.Run(strings.Join(append([]string{"orgstrap"}, args...), " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
			root.SetArgs(args)
			err := root.Execute()
			if !errors.Is(err, errNoTerminal) {
				t.Fatalf("error: got %v, want %v", err, errNoTerminal)
			}
			hint := Hint(err)
			for _, want := range []string{"orgstrap plan", "orgstrap apply"} {
				if !strings.Contains(hint, want) {
					t.Errorf("hint %q does not mention %s", hint, want)
				}
			}
			if out.Len() != 0 {
				t.Errorf("stdout: got %q, want nothing", out.String())
			}
		})
	}
}

func TestRootRejectsUnknownArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	root.SetArgs([]string{"bogus"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("error: got %v, want an unknown command error", err)
	}
}
