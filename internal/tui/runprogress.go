package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/spinner"
)

// logLines is how many recent events the apply and rotation screens keep.
const logLines = 6

// envProgress is one environment's line on the apply or rotation screen.
type envProgress struct {
	name     string
	message  string
	fraction float64
	done     bool
	err      error
	fix      string
}

// runProgress is the part of a running apply or rotation shown on its
// screen: a line per environment with a spinner, and the recent events.
type runProgress struct {
	spinner spinner.Model
	envs    []*envProgress
	log     []string
	running bool
	// noFraction leaves out the percentages, for work whose length the
	// plan does not tell.
	noFraction bool
}

func (s *runProgress) handleEvent(e Event) {
	line := e.Message
	if e.Environment != "" {
		line = "[" + e.Environment + "] " + line
	}
	// A repeated message, such as a wait that polls, moves to the end
	// instead of filling the log.
	s.log = slices.DeleteFunc(s.log, func(l string) bool { return l == line })
	s.log = append(s.log, line)
	if len(s.log) > logLines {
		s.log = s.log[len(s.log)-logLines:]
	}
	for _, env := range s.envs {
		if env.name != e.Environment {
			continue
		}
		env.message = e.Message
		if e.Fraction >= 0 {
			env.fraction = e.Fraction
		}
		if e.Done {
			env.done, env.err, env.fix = true, e.Err, e.Fix
			if e.Err == nil {
				env.fraction = 1
			}
		}
	}
}

// envLines renders a line per environment and the fix under each failed
// one, a fix shared with an earlier environment only by reference. It
// reports whether it showed a fix.
func (s *runProgress) envLines(width int) (string, bool) {
	var b strings.Builder
	fixed := map[string]bool{}
	for _, env := range s.envs {
		b.WriteString(s.envLine(env, width) + "\n")
		if env.err == nil || env.fix == "" {
			continue
		}
		fix := env.fix
		if fixed[fix] {
			fix = "the same as above"
		}
		b.WriteString(warnStyle.Render(hangingIndent("    fix: ", fix, width)) + "\n")
		fixed[env.fix] = true
	}
	return b.String(), len(fixed) > 0
}

func (s *runProgress) envLine(env *envProgress, width int) string {
	status := s.spinner.View()
	switch {
	case env.done && env.err != nil:
		status = errorStyle.Render("✗")
	case env.done:
		status = okStyle.Render("✓")
	case !s.running:
		status = dimStyle.Render("·")
	}
	message := env.message
	if env.err != nil {
		// The row names the environment already.
		message = strings.TrimPrefix(env.err.Error(), "environment "+env.name+": ")
	}
	prefix := fmt.Sprintf("%s %-10s %3.0f%%  ", status, env.name, env.fraction*100)
	if s.noFraction {
		prefix = fmt.Sprintf("%s %-10s ", status, env.name)
	}
	if env.err != nil {
		return hangingIndent(prefix, message, width)
	}
	return prefix + message
}
