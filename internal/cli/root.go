// Package cli builds orgstrap's command tree. Each command is an options
// struct, a constructor that binds its flags, and a run function that takes
// its dependencies explicitly so tests can call it.
package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// Streams are the standard streams a command writes to: data on Out,
// progress, prompts and hints on Err.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// DefaultStreams returns the process's standard streams.
func DefaultStreams() Streams {
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
}

// GlobalOptions are the flags every command accepts.
type GlobalOptions struct {
	Profile     string
	Region      string
	EndpointURL string
	Output      string
	Debug       bool
	// Sandbox runs the command against an in-process sandbox whose state
	// lives in the user's state directory.
	Sandbox bool
	// LibraryDirs are the --library directories of the command that runs.
	LibraryDirs []string

	streams Streams
	logger  *slog.Logger
}

// Logger returns the logger for diagnostics: discarded unless --debug is
// set, and then written to stderr.
func (g *GlobalOptions) Logger() *slog.Logger {
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
		if g.Debug {
			g.logger = slog.New(slog.NewTextHandler(g.streams.Err, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	return g.logger
}

// validate checks the global flags before any command runs.
func (g *GlobalOptions) validate() error {
	if g.Sandbox && (g.EndpointURL != "" || g.Profile != "") {
		return WithHint(errors.New("--sandbox cannot be combined with --endpoint-url or --profile"),
			"drop --sandbox to use that endpoint or profile, or drop them to use the in-process sandbox")
	}
	switch g.Output {
	case "text", "json":
		return nil
	}
	return WithHint(fmt.Errorf("invalid --output %q", g.Output), "use --output text or --output json")
}

// NewRootCommand builds the orgstrap command tree.
func NewRootCommand(streams Streams) *cobra.Command {
	g := &GlobalOptions{streams: streams}
	root := &cobra.Command{
		Use:   "orgstrap",
		Short: "Set up and maintain a multi-account AWS layout for serverless deployments",
		Long: "orgstrap creates an AWS Organization with development and production accounts,\n" +
			"installs deployment roles derived from a policy library, and keeps them in sync.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.validate()
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)

	flags := root.PersistentFlags()
	flags.StringVar(&g.Profile, "profile", "", "AWS CLI profile to use for the management account")
	flags.StringVar(&g.Region, "region", "", "AWS region for regional calls (default from the profile or AWS_REGION)")
	flags.StringVar(&g.EndpointURL, "endpoint-url", "", "send every AWS call to this endpoint (AWS_ENDPOINT_URL works too)")
	flags.StringVar(&g.Output, "output", "text", "output format: text or json")
	flags.BoolVar(&g.Debug, "debug", false, "log diagnostics to stderr (secrets are never logged)")
	flags.BoolVar(&g.Sandbox, "sandbox", false, "run against the built-in sandbox instead of AWS")

	root.AddCommand(newVersionCommand(g))
	root.AddCommand(newPlanCommand(g), newApplyCommand(g), newStatusCommand(g), newEnvCommand(g), newCompletionCommand())
	root.AddCommand(newPolicyCommand(g))
	root.AddCommand(newSandboxCommand(g))
	root.AddCommand(newRotateCommand(g))
	root.AddCommand(newInitCommand(g))
	bindWizard(root, g)
	return root
}
