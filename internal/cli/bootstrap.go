package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/library"
)

// defaultConfigPath is the config file plan, apply, status and env use.
const defaultConfigPath = "orgstrap.yaml"

// addConfigFlag binds --config to path and --library to g.LibraryDirs.
func (g *GlobalOptions) addConfigFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "config", defaultConfigPath, "orgstrap config file")
	cmd.Flags().StringSliceVar(&g.LibraryDirs, "library", nil,
		"directory of extra profile YAML files, added to deployment.library (repeatable)")
}

// loadConfig loads the config and the policy library it names: the
// built-in profiles, the config's deployment.library directories and
// --library. The config is validated against the library's profile names.
func (g *GlobalOptions) loadConfig(path string) (*config.Config, *library.Library, error) {
	var lib *library.Library
	cfg, err := config.Load(path, g.libraryOptions(&lib))
	if err != nil {
		return nil, nil, err
	}
	return cfg, lib, nil
}

// libraryOptions returns config options that load the policy library for
// the config's deployment.library directories and --library into *lib.
func (g *GlobalOptions) libraryOptions(lib **library.Library) config.Options {
	return config.Options{LoadLibrary: func(dirs []string) ([]string, error) {
		loaded, err := library.Load(append(dirs, g.LibraryDirs...)...)
		if err != nil {
			return nil, err
		}
		*lib = loaded
		return loaded.Names(), nil
	}}
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
	}
	opts.SourceProfile = g.sourceProfile()
	if opts.ProfileFile, err = g.profileFile(); err != nil {
		session.Close()
		return nil, err
	}
	opts.OnEvent = func(ev engine.Event) {
		g.Logger().Debug("engine event", "kind", ev.Kind, "environment", ev.Environment, "message", ev.Message)
		fmt.Fprintln(stderr, formatEvent(ev))
	}
	return &engineRun{Engine: engine.New(session.Config, cfg, lib, opts), close: session.Close}, nil
}

// profileFile is the AWS CLI config file the engine writes profiles to: ""
// for the engine's default (AWS_CONFIG_FILE or ~/.aws/config), and with
// --sandbox a file beside the sandbox state, so that profiles naming
// sandbox accounts never land in the user's real AWS config.
func (g *GlobalOptions) profileFile() (string, error) {
	if !g.Sandbox {
		return "", nil
	}
	state, err := localSandboxStatePath()
	if err != nil {
		return "", err
	}
	return sandboxProfileFile(state), nil
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
