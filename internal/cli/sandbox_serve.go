package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// shutdownTimeout bounds how long serve waits for requests in flight when
// it is interrupted.
const shutdownTimeout = 5 * time.Second

type sandboxServeOptions struct {
	Addr               string
	StatePath          string
	CreateAccountDelay time.Duration
	ConsistencyDelay   time.Duration
	ThrottleRate       float64
	AccountQuota       int
	// MaxConcurrentCreations is sandbox.Options.MaxConcurrentCreations.
	MaxConcurrentCreations int
	EnforceIAM             bool
	// Detach serves from a background process, and the command exits once
	// that process is ready. RunE sets it from --detach, or from whether
	// stdout is a pipe when the flag is absent.
	Detach bool
	// ListenFD and ReadyFD are set only in the background process that
	// Detach starts: the inherited listening socket, and the pipe that
	// receives the export lines once the server runs. Zero means unset.
	ListenFD int
	ReadyFD  int
}

// sandboxOptions converts the flags to sandbox.Options. A create-account
// delay of zero on the command line means none, which Options spells as a
// negative value.
func (o *sandboxServeOptions) sandboxOptions(logger *slog.Logger) sandbox.Options {
	delay := o.CreateAccountDelay
	if delay == 0 {
		delay = -1
	}
	return sandbox.Options{
		CreateAccountDelay:     delay,
		ConsistencyDelay:       o.ConsistencyDelay,
		ThrottleRate:           o.ThrottleRate,
		AccountQuota:           o.AccountQuota,
		MaxConcurrentCreations: o.MaxConcurrentCreations,
		EnforceIAM:             o.EnforceIAM,
		StatePath:              o.StatePath,
		Logger:                 logger,
	}
}

func newSandboxServeCommand(g *GlobalOptions) *cobra.Command {
	opts := &sandboxServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox on a loopback address until interrupted",
		Long: "serve starts the sandbox and prints four shell export lines on stdout: the endpoint\n" +
			"and the management account administrator's credentials. Then it logs every request\n" +
			"to stderr. When stdout is a pipe, or with --detach, the server runs in a background\n" +
			"process: serve prints the lines once it is ready, prints the kill command that stops\n" +
			"it on stderr and exits. For example:\n\n" +
			"  eval \"$(orgstrap sandbox serve --state sandbox.json | head -n 4)\"\n" +
			"  aws --endpoint-url \"$AWS_ENDPOINT_URL\" organizations describe-organization",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("detach") {
				opts.Detach = detachByDefault && isStdoutPipe(g.streams.Out)
			}
			return runSandboxServe(cmd.Context(), g.streams, opts)
		},
	}
	opts.bindFlags(cmd.Flags())
	return cmd
}

// bindFlags defines serve's flags on flags. childArgs passes each of them
// to the background process, so a new flag belongs there too.
func (o *sandboxServeOptions) bindFlags(flags *pflag.FlagSet) {
	flags.StringVar(&o.Addr, "addr", "127.0.0.1:4566", "loopback address and port to listen on (port 0 picks a free one)")
	flags.StringVar(&o.StatePath, "state", "", "JSON file to load the state from and save it to after every change (default: memory only)")
	flags.DurationVar(&o.CreateAccountDelay, "create-account-delay", sandbox.DefaultCreateAccountDelay,
		"how long CreateAccount stays IN_PROGRESS")
	flags.DurationVar(&o.ConsistencyDelay, "consistency-delay", 0,
		"how long new access roles and created or changed roles and trust policies take to have effect")
	flags.Float64Var(&o.ThrottleRate, "throttle-rate", 0,
		"fraction of requests, from 0 to 1, answered with the service's throttling error")
	flags.IntVar(&o.AccountQuota, "account-quota", sandbox.DefaultAccountQuota,
		"maximum number of accounts in the organization, the management account included")
	flags.IntVar(&o.MaxConcurrentCreations, "max-concurrent-creations", 0,
		"account creations allowed in progress at once; more fail with CONCURRENT_ACCOUNT_MODIFICATION (0: no limit)")
	flags.BoolVar(&o.EnforceIAM, "enforce-iam", false, "check every call against the caller's IAM policies")
	flags.BoolVar(&o.Detach, "detach", false,
		"serve from a background process and exit once it is ready (default: true when stdout is a pipe; "+
			"--detach=false keeps serving in the foreground)")

	flags.IntVar(&o.ListenFD, "listen-fd", 0, "file descriptor of an inherited listening socket to serve on")
	flags.IntVar(&o.ReadyFD, "ready-fd", 0, "file descriptor that receives the export lines once serving, then is closed")
	flags.MarkHidden("listen-fd")
	flags.MarkHidden("ready-fd")
}

// runSandboxServe serves the sandbox until ctx is cancelled, then shuts the
// server down, waiting for requests in flight.
func runSandboxServe(ctx context.Context, streams Streams, opts *sandboxServeOptions) error {
	if err := checkLoopback(opts.Addr); err != nil {
		return err
	}
	if opts.CreateAccountDelay < 0 || opts.ConsistencyDelay < 0 {
		return WithHint(errors.New("invalid delay: --create-account-delay and --consistency-delay must not be negative"),
			"pass a duration such as 0s, 2s or 1m")
	}
	if opts.Detach {
		return runSandboxServeDetached(ctx, streams, opts)
	}

	logger := slog.New(slog.NewTextHandler(streams.Err, nil))
	sb, err := sandbox.New(opts.sandboxOptions(logger))
	if err != nil {
		return sandboxError(fmt.Errorf("starting the sandbox: %w", err))
	}
	defer sb.Close()
	listener, err := opts.listen()
	if err != nil {
		return err
	}

	endpoint := "http://" + listener.Addr().String()
	server := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	logger.Info("sandbox started", "endpoint", endpoint, "state", stateDescription(opts.StatePath),
		"management_account", sb.ManagementAccountID(), "pid", os.Getpid())

	keyID, secret := sb.AdminCredentials()
	if err := opts.writeEnvironment(streams.Out, endpoint, keyID, secret); err != nil {
		server.Close()
		return err
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving the sandbox on %s: %w", endpoint, err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		logger.Error("sandbox shutdown timed out", "endpoint", endpoint, "error", err)
		return fmt.Errorf("stopping the sandbox: %w", err)
	}
	logger.Info("sandbox stopped", "endpoint", endpoint, "pid", os.Getpid())
	return nil
}

// listen opens the server's socket: the one inherited as ListenFD, or a
// new one on Addr.
func (o *sandboxServeOptions) listen() (net.Listener, error) {
	if o.ListenFD == 0 {
		listener, err := net.Listen("tcp", o.Addr)
		if err != nil {
			return nil, WithHint(fmt.Errorf("listening on %s: %w", o.Addr, err),
				"pick another port with --addr, for example --addr 127.0.0.1:0")
		}
		return listener, nil
	}

	file := os.NewFile(uintptr(o.ListenFD), "listener")
	if file == nil {
		return nil, fmt.Errorf("invalid --listen-fd %d", o.ListenFD)
	}
	defer file.Close() // FileListener works on a duplicate
	listener, err := net.FileListener(file)
	if err != nil {
		return nil, fmt.Errorf("using the listening socket of --listen-fd %d: %w", o.ListenFD, err)
	}
	// The socket comes from outside this process, so check it too.
	if err := checkLoopback(listener.Addr().String()); err != nil {
		listener.Close()
		return nil, err
	}
	return listener, nil
}

// writeEnvironment prints the export lines on out, or on ReadyFD when it
// is set, and then closes ReadyFD to tell the parent that the server runs.
// The user asked for these credentials: the export lines are the one place
// the secret key is printed. The AWS CLI v1 reads AWS_DEFAULT_REGION rather
// than AWS_REGION, so the fourth line sets both and the output stays four
// lines long for `head -n 4`.
func (o *sandboxServeOptions) writeEnvironment(out io.Writer, endpoint, keyID, secret string) error {
	if o.ReadyFD != 0 {
		ready := os.NewFile(uintptr(o.ReadyFD), "ready")
		if ready == nil {
			return fmt.Errorf("invalid --ready-fd %d", o.ReadyFD)
		}
		defer ready.Close()
		out = ready
	}
	_, err := fmt.Fprintf(out, "export AWS_ENDPOINT_URL=%s\nexport AWS_ACCESS_KEY_ID=%s\n"+
		"export AWS_SECRET_ACCESS_KEY=%s\nexport AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1\n",
		endpoint, keyID, secret)
	if err != nil {
		return fmt.Errorf("writing the environment: %w", err)
	}
	return nil
}

// checkLoopback rejects listen addresses other than loopback ones: the
// sandbox accepts any request signed with its keys and must not be
// reachable from other hosts.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return WithHint(fmt.Errorf("invalid --addr %q: %w", addr, err), "use HOST:PORT, for example 127.0.0.1:4566")
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return WithHint(fmt.Errorf("invalid --addr %q: the sandbox listens only on a loopback address", addr),
		"use 127.0.0.1, ::1 or localhost, for example --addr 127.0.0.1:4566")
}

func stateDescription(path string) string {
	if path == "" {
		return "memory only"
	}
	return path
}
