package tui

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
)

// errorHint returns the fix an error carries, formatted as a line, or "".
// It reads the engine's access.FixError and any error with a Hint method.
func errorHint(err error) string {
	if fix := access.Fix(err); fix != "" {
		return warnStyle.Render("Fix: "+fix) + "\n\n"
	}
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		return warnStyle.Render("Hint: "+h.Hint()) + "\n\n"
	}
	return ""
}

// hangingIndent wraps s to width columns after prefix, and indents the
// continuation lines by as many spaces as prefix is wide.
func hangingIndent(prefix, s string, width int) string {
	pad := lipgloss.Width(prefix)
	wrapped := lipgloss.NewStyle().Width(max(20, width-pad-1)).Render(s)
	lines := strings.Split(wrapped, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", pad) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// cloneConfig returns a copy of cfg that shares no slice with it, so the
// wizard can edit the copy.
func cloneConfig(cfg *config.Config) *config.Config {
	c := *cfg
	c.Environments = slices.Clone(cfg.Environments)
	c.Deployment.Profiles = slices.Clone(cfg.Deployment.Profiles)
	c.Deployment.Services = slices.Clone(cfg.Deployment.Services)
	c.Deployment.Regions = slices.Clone(cfg.Deployment.Regions)
	c.Deployment.Library = slices.Clone(cfg.Deployment.Library)
	c.Deployment.Variables = maps.Clone(cfg.Deployment.Variables)
	c.Trust.RoleARNs = slices.Clone(cfg.Trust.RoleARNs)
	if cfg.Trust.Caller != nil {
		caller := *cfg.Trust.Caller
		c.Trust.Caller = &caller
	}
	if cfg.Trust.GitHub != nil {
		gh := *cfg.Trust.GitHub
		gh.Branches = slices.Clone(gh.Branches)
		gh.Environments = slices.Clone(gh.Environments)
		c.Trust.GitHub = &gh
	}
	if cfg.AWSProfiles.Write != nil {
		write := *cfg.AWSProfiles.Write
		c.AWSProfiles.Write = &write
	}
	return &c
}
