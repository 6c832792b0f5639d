package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/library"
)

// defaultConfigPath is the config file plan, apply, status and env use.
const defaultConfigPath = "orgstrap.yaml"

func addConfigFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "config", defaultConfigPath, "orgstrap config file")
}

// loadConfig loads the policy library and the config validated against
// its profile names.
func loadConfig(path string) (*config.Config, *library.Library, error) {
	lib, err := library.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("loading the policy library: %w", err)
	}
	cfg, err := config.Load(path, config.Options{Profiles: lib.Names()})
	if err != nil {
		return nil, nil, err
	}
	return cfg, lib, nil
}

// engineRun is an engine with the session it uses.
type engineRun struct {
	*engine.Engine
	close func()
}

// newEngine builds the engine for cfg on the command's AWS session, with
// progress events printed on stderr.
func (g *GlobalOptions) newEngine(ctx context.Context, cfg *config.Config, lib *library.Library, stderr io.Writer, opts engine.Options) (*engineRun, error) {
	session, err := g.AWSSession(ctx)
	if err != nil {
		return nil, err
	}
	if g.Debug {
		// Retries only: request logging would print the session token header.
		session.Config.ClientLogMode = aws.LogRetries
		session.Config.Logger = logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
			g.Logger().Debug(fmt.Sprintf(format, v...), "source", "aws-sdk", "level", string(c))
		})
	}
	opts.SourceProfile = g.sourceProfile()
	opts.OnEvent = func(ev engine.Event) {
		g.Logger().Debug("engine event", "kind", ev.Kind, "environment", ev.Environment, "message", ev.Message)
		fmt.Fprintln(stderr, formatEvent(ev))
	}
	return &engineRun{Engine: engine.New(session.Config, cfg, lib, opts), close: session.Close}, nil
}

// sourceProfile is the profile the written AWS CLI profiles take their
// credentials from: --profile, AWS_PROFILE, none when the credentials come
// from environment variables, else "default".
func (g *GlobalOptions) sourceProfile() string {
	switch {
	case g.Profile != "":
		return g.Profile
	case os.Getenv("AWS_PROFILE") != "":
		return os.Getenv("AWS_PROFILE")
	case os.Getenv("AWS_ACCESS_KEY_ID") != "":
		return ""
	}
	return "default"
}

var eventMarks = map[engine.EventKind]string{
	engine.EventStart: "->", engine.EventDone: "ok", engine.EventWaiting: "..",
	engine.EventInfo: "  ", engine.EventWarning: "!!", engine.EventFailed: "xx",
}

func formatEvent(ev engine.Event) string {
	scope := ""
	if ev.Environment != "" {
		scope = "[" + ev.Environment + "] "
	}
	return fmt.Sprintf("%s %s%s", eventMarks[ev.Kind], scope, ev.Message)
}

// withFix moves the fix the engine attached to err into a hint for main.
func withFix(err error) error {
	if err == nil {
		return nil
	}
	if fix := access.Fix(err); fix != "" && Hint(err) == "" {
		return WithHint(err, fix)
	}
	var cfgErr *config.Error
	if errors.As(err, &cfgErr) && Hint(err) == "" {
		return WithHint(err, "correct the fields listed above in "+cfgErr.File)
	}
	if errors.Is(err, context.Canceled) && Hint(err) == "" {
		return WithHint(err, "run the command again: orgstrap continues from what AWS holds, without duplicating accounts")
	}
	return err
}
