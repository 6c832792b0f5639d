package tui

import "github.com/charmbracelet/lipgloss"

// Styles use the terminal's 16 ANSI colours so they follow its theme.
var (
	titleStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	stepStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	currentStep  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	labelStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("7"))
	focusStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14"))
	dimStyle     = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	okStyle      = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	warnStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	errorStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("9"))
	confirmStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11"))
)
