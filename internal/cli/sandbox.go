package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

func newSandboxCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the built-in emulation of AWS Organizations, IAM and STS",
		Long: "The sandbox serves the parts of AWS Organizations, IAM and STS that orgstrap uses on a\n" +
			"loopback address, with AWS's wire protocols, so the AWS CLI and SDKs work against it.\n" +
			"The global --sandbox flag runs any command against an in-process sandbox instead, with\n" +
			"its state in $XDG_STATE_HOME/orgstrap/sandbox.json. These variables configure it:\n" +
			"  ORGSTRAP_SANDBOX_STATE                 state file to use instead\n" +
			"  ORGSTRAP_SANDBOX_CREATE_ACCOUNT_DELAY  how long CreateAccount stays IN_PROGRESS (default 2s)\n" +
			"  ORGSTRAP_SANDBOX_CONSISTENCY_DELAY     delay before new or changed roles take effect (default 0s)\n" +
			"  ORGSTRAP_SANDBOX_THROTTLE_RATE         fraction of requests throttled, 0 to 1 (default 0)\n" +
			"  ORGSTRAP_SANDBOX_ACCOUNT_QUOTA         maximum accounts, management included (default 10)\n" +
			"  ORGSTRAP_SANDBOX_MAX_CONCURRENT_CREATIONS  creations in progress at once (default 0: no limit)\n" +
			"  ORGSTRAP_SANDBOX_ENFORCE_IAM           true to check every call against IAM policies",
	}
	cmd.AddCommand(newSandboxServeCommand(g), newSandboxResetCommand(g))
	return cmd
}

// defaultSandboxStatePath returns the state file of --sandbox and of
// `sandbox reset`: $XDG_STATE_HOME/orgstrap/sandbox.json, or
// ~/.local/state/orgstrap/sandbox.json when XDG_STATE_HOME is unset or not
// absolute, as the XDG Base Directory specification requires.
func defaultSandboxStatePath() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "orgstrap", "sandbox.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", WithHint(fmt.Errorf("finding the sandbox state directory: %w", err),
			"set XDG_STATE_HOME or HOME, or pass --state")
	}
	return filepath.Join(home, ".local", "state", "orgstrap", "sandbox.json"), nil
}

// localSandboxStatePath returns the state file of --sandbox:
// ORGSTRAP_SANDBOX_STATE when it is set, else the default path.
func localSandboxStatePath() (string, error) {
	if path := os.Getenv(envSandboxState); path != "" {
		return path, nil
	}
	return defaultSandboxStatePath()
}

// sandboxError adds the advice a state file error carries.
func sandboxError(err error) error {
	var stateErr *sandbox.StateError
	if errors.As(err, &stateErr) {
		return WithHint(err, stateErr.Hint())
	}
	return err
}

type sandboxResetOptions struct {
	StatePath string
	Yes       bool
}

func newSandboxResetCommand(g *GlobalOptions) *cobra.Command {
	opts := &sandboxResetOptions{}
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete the sandbox state so the next start begins with an empty sandbox",
		Long: "reset deletes the sandbox state file: the organization, its accounts and all IAM and STS\n" +
			"data. Stop any `orgstrap sandbox serve` using the file first, or it writes the file again.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.StatePath == "" {
				path, err := localSandboxStatePath()
				if err != nil {
					return err
				}
				opts.StatePath = path
			}
			return runSandboxReset(g.streams, opts)
		},
	}
	cmd.Flags().StringVar(&opts.StatePath, "state", "",
		"state file to delete (default: the --sandbox state, $ORGSTRAP_SANDBOX_STATE or $XDG_STATE_HOME/orgstrap/sandbox.json)")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func runSandboxReset(streams Streams, opts *sandboxResetOptions) error {
	info, err := os.Stat(opts.StatePath)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(streams.Err, "No sandbox state at %s: nothing to reset.\n", opts.StatePath)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading sandbox state %s: %w", opts.StatePath, err)
	}
	if info.IsDir() {
		return WithHint(fmt.Errorf("invalid sandbox state %s: it is a directory", opts.StatePath),
			"pass the state file with --state, not its directory")
	}

	if !opts.Yes {
		fmt.Fprintf(streams.Err, "Delete the sandbox state %s, with its organization, accounts and IAM data? [y/N] ",
			opts.StatePath)
		if !confirmed(streams.In) {
			return WithHint(errors.New("reset cancelled: the sandbox state was kept"),
				"answer y, or pass --yes to reset without a prompt")
		}
	}
	if err := os.Remove(opts.StatePath); err != nil {
		return fmt.Errorf("deleting sandbox state: %w", err)
	}
	fmt.Fprintf(streams.Err, "Deleted %s.\n", opts.StatePath)

	profiles := sandboxProfileFile(opts.StatePath)
	switch err := os.Remove(profiles); {
	case err == nil:
		fmt.Fprintf(streams.Err, "Deleted %s.\n", profiles)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("deleting the sandbox's AWS CLI profiles: %w", err)
	}
	return nil
}

// sandboxProfileFile returns the file that commands run with --sandbox
// write AWS CLI profiles to: beside the sandbox state, never in the user's
// real AWS config.
func sandboxProfileFile(statePath string) string {
	return filepath.Join(filepath.Dir(statePath), "sandbox-aws-config")
}

// confirmed reads one line from in and reports whether it is "y" or "yes".
// An empty line, any other text or the end of input means no.
func confirmed(in io.Reader) bool {
	if in == nil {
		return false
	}
	line, _ := bufio.NewReader(in).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
