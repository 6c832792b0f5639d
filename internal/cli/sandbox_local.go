package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// The environment variables that configure the in-process sandbox of
// --sandbox, which has no flags of its own.
const (
	envSandboxState              = "ORGSTRAP_SANDBOX_STATE"
	envSandboxCreateAccountDelay = "ORGSTRAP_SANDBOX_CREATE_ACCOUNT_DELAY"
	envSandboxConsistencyDelay   = "ORGSTRAP_SANDBOX_CONSISTENCY_DELAY"
	envSandboxThrottleRate       = "ORGSTRAP_SANDBOX_THROTTLE_RATE"
	envSandboxAccountQuota       = "ORGSTRAP_SANDBOX_ACCOUNT_QUOTA"
	envSandboxEnforceIAM         = "ORGSTRAP_SANDBOX_ENFORCE_IAM"
	envSandboxMaxCreations       = "ORGSTRAP_SANDBOX_MAX_CONCURRENT_CREATIONS"
)

// startLocalSandbox starts the in-process sandbox for --sandbox on a free
// loopback port, with its state in the user's state directory so that
// successive commands see the same organization. The session's Close stops
// the server.
//
// The sandbox locks its state file, so a second process on the same state,
// such as a running `sandbox serve`, fails with an error instead of
// overwriting this one's changes.
func (g *GlobalOptions) startLocalSandbox(ctx context.Context) (*Session, error) {
	opts, err := localSandboxOptions()
	if err != nil {
		return nil, err
	}
	if opts.StatePath, err = localSandboxStatePath(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(opts.StatePath), 0o700); err != nil {
		return nil, fmt.Errorf("creating the sandbox state directory: %w", err)
	}
	opts.Logger = g.Logger()

	sb, err := sandbox.New(opts)
	if err != nil {
		return nil, sandboxError(fmt.Errorf("starting the sandbox: %w", err))
	}
	var listenConfig net.ListenConfig
	listener, err := listenConfig.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("starting the sandbox: listening on 127.0.0.1: %w", err)
	}
	server := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go server.Serve(listener)

	endpoint := "http://" + listener.Addr().String()
	g.Logger().Debug("in-process sandbox started", "endpoint", endpoint, "state", opts.StatePath,
		"management_account", sb.ManagementAccountID())

	keyID, secret := sb.AdminCredentials()
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(keyID, secret, "")),
	}
	closeServer := func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := server.Shutdown(shutdownCtx); err != nil {
			g.Logger().Error("stopping the in-process sandbox failed", "endpoint", endpoint, "error", err)
		}
		sb.Close()
	}
	return &Session{Config: cfg, Close: closeServer}, nil
}

// localSandboxOptions reads the ORGSTRAP_SANDBOX_* variables. Unset ones
// keep the sandbox defaults: a 2-second create-account delay, no
// consistency delay or throttling, a quota of 10 accounts.
func localSandboxOptions() (sandbox.Options, error) {
	var opts sandbox.Options
	var errs []error

	if v, ok := os.LookupEnv(envSandboxCreateAccountDelay); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("invalid %s %q: want a duration such as 0s or 2s", envSandboxCreateAccountDelay, v))
		}
		opts.CreateAccountDelay = d
		if d == 0 {
			opts.CreateAccountDelay = -1
		}
	}
	if v, ok := os.LookupEnv(envSandboxConsistencyDelay); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("invalid %s %q: want a duration such as 0s or 5s", envSandboxConsistencyDelay, v))
		}
		opts.ConsistencyDelay = d
	}
	if v, ok := os.LookupEnv(envSandboxThrottleRate); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			errs = append(errs, fmt.Errorf("invalid %s %q: want a fraction from 0 to 1", envSandboxThrottleRate, v))
		}
		opts.ThrottleRate = f
	}
	if v, ok := os.LookupEnv(envSandboxAccountQuota); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("invalid %s %q: want a whole number of at least 1", envSandboxAccountQuota, v))
		}
		opts.AccountQuota = n
	}
	if v, ok := os.LookupEnv(envSandboxMaxCreations); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("invalid %s %q: want a whole number, 0 for no limit", envSandboxMaxCreations, v))
		}
		opts.MaxConcurrentCreations = n
	}
	if v, ok := os.LookupEnv(envSandboxEnforceIAM); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("invalid %s %q: want true or false", envSandboxEnforceIAM, v))
		}
		opts.EnforceIAM = b
	}

	if err := errors.Join(errs...); err != nil {
		return sandbox.Options{}, WithHint(err, "fix or unset the ORGSTRAP_SANDBOX_* variables")
	}
	return opts, nil
}
