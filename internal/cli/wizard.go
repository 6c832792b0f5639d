package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/tui"
)

// wizardOptions are the flags of the wizard, which runs as the root command
// without a subcommand and as `orgstrap init`.
type wizardOptions struct {
	g          *GlobalOptions
	configPath string
}

// newInitCommand returns `orgstrap init`, the wizard under an explicit name.
func newInitCommand(g *GlobalOptions) *cobra.Command {
	o := &wizardOptions{g: g}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Set up the organization interactively (the wizard)",
		Long: "init walks through the identity, environments, deployment and trust settings,\n" +
			"shows the plan, applies it and writes orgstrap.yaml. In an organization that\n" +
			"orgstrap already manages, it offers to add an environment, rotate the deployment\n" +
			"roles or repair drift. It needs a terminal; without one, use plan, apply and\n" +
			"rotate. While it runs, --debug logs go to\n" +
			"wizard.log in $XDG_STATE_HOME/orgstrap (default ~/.local/state/orgstrap).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd.Context()) },
	}
	o.bindFlags(cmd)
	return cmd
}

// bindWizard makes the root command without a subcommand run the wizard.
func bindWizard(root *cobra.Command, g *GlobalOptions) {
	o := &wizardOptions{g: g}
	root.Long += "\n\nWithout a command it starts the interactive wizard, as orgstrap init does."
	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, args []string) error { return o.run(cmd.Context()) }
	o.bindFlags(root)
}

func (o *wizardOptions) bindFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.configPath, "config", "orgstrap.yaml", "the config file the wizard reads and writes")
	cmd.Flags().StringSliceVar(&o.g.LibraryDirs, "library", nil,
		"directory of extra profile YAML files, added to deployment.library (repeatable)")
}

// library loads the policy library with the existing config's
// deployment.library directories and --library. When the config is missing
// or invalid it loads the built-in profiles and --library only, and the
// wizard reports the config's problems itself.
func (o *wizardOptions) library() (*library.Library, error) {
	if _, lib, err := o.g.loadConfig(o.configPath); err == nil {
		return lib, nil
	}
	lib, err := library.Load(o.g.LibraryDirs...)
	if err != nil {
		return nil, fmt.Errorf("loading the policy library: %w", err)
	}
	return lib, nil
}

// errNoTerminal is returned when the wizard cannot take over a terminal.
var errNoTerminal = errors.New("the wizard needs an interactive terminal, and stdin or stdout is not one")

func (o *wizardOptions) run(ctx context.Context) error {
	streams := o.g.streams
	if !isTerminal(streams.In) || !isTerminal(streams.Out) {
		return WithHint(errNoTerminal,
			"describe the organization in orgstrap.yaml (start from orgstrap.example.yaml), "+
				"then run `orgstrap plan` to see the changes and `orgstrap apply` to make them")
	}

	// The TUI owns the terminal, so diagnostics go to a file or nowhere.
	closeLog, err := o.redirectLogs()
	if err != nil {
		return err
	}
	defer closeLog()

	lib, err := o.library()
	if err != nil {
		return err
	}
	session, err := o.g.AWSSession(ctx)
	if err != nil {
		return err
	}
	defer session.Close()

	profileFile, err := o.g.profileFile()
	if err != nil {
		return err
	}
	backend := &tui.EngineBackend{
		AWS: session.Config, Library: lib, ConfigPath: o.configPath,
		Options: engine.Options{SourceProfile: o.g.sourceProfile(), ProfileFile: profileFile},
	}
	model := tui.NewModel(ctx, backend)
	output := streams.Err
	if !isTerminal(output) {
		output = streams.Out
	}
	program := tea.NewProgram(model, tea.WithContext(ctx), tea.WithInput(streams.In),
		tea.WithOutput(output), tea.WithAltScreen())
	if _, err := program.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("running the wizard: %w", err)
	}

	if summary := model.SummaryText(); summary != "" {
		fmt.Fprint(streams.Err, summary)
	}
	return model.Err()
}

// redirectLogs sends the logger to a file in the state directory when
// --debug is set, and discards it otherwise.
func (o *wizardOptions) redirectLogs() (func(), error) {
	if !o.g.Debug {
		o.g.logger = slog.New(slog.DiscardHandler)
		return func() {}, nil
	}
	dir, err := stateDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the log directory: %w", err)
	}
	path := filepath.Join(dir, "wizard.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the log file: %w", err)
	}
	fmt.Fprintf(o.g.streams.Err, "Logging to %s\n", path)
	o.g.logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return func() { f.Close() }, nil
}

// stateDir returns orgstrap's directory under XDG_STATE_HOME, by default
// ~/.local/state/orgstrap.
func stateDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "orgstrap"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "orgstrap"), nil
}

// isTerminal reports whether the stream is a terminal.
func isTerminal(stream any) bool {
	f, ok := stream.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}
