package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// Session is the AWS configuration a command runs with, and the function
// that releases what it holds (the in-process sandbox, when --sandbox is set).
type Session struct {
	Config aws.Config
	Close  func()
}

// AWSSession builds the aws.Config every command uses: the standard
// credential chain with --profile and --region applied, and --endpoint-url
// or AWS_ENDPOINT_URL when set. With --sandbox it starts the in-process
// sandbox and points the configuration at it instead.
func (g *GlobalOptions) AWSSession(ctx context.Context) (*Session, error) {
	session, err := g.awsSession(ctx)
	if err != nil {
		return nil, err
	}
	// The SDK's own logger writes warnings straight to stderr, where they
	// would break the wizard's screen. They go to orgstrap's logger
	// instead, which discards them unless --debug is set.
	session.Config.Logger = logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		g.Logger().Debug(fmt.Sprintf(format, v...), "source", "aws-sdk", "level", string(c))
	})
	if g.Debug {
		session.Config.APIOptions = append(session.Config.APIOptions, g.logCalls)
	}
	return session, nil
}

func (g *GlobalOptions) awsSession(ctx context.Context) (*Session, error) {
	if g.Sandbox {
		return g.startLocalSandbox(ctx)
	}

	var opts []func(*config.LoadOptions) error
	if g.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.Profile))
	}
	if g.Region != "" {
		opts = append(opts, config.WithRegion(g.Region))
	}
	if g.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(g.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, WithHint(fmt.Errorf("loading AWS configuration: %w", err),
			"check --profile and the files in ~/.aws, or set AWS_PROFILE")
	}
	if cfg.Region == "" {
		// Organizations and IAM are global; STS works from any region.
		cfg.Region = "us-east-1"
	}
	return &Session{Config: cfg, Close: func() {}}, nil
}

// logCalls adds a middleware that logs every AWS call at debug level: the
// service, operation, duration and error. It logs nothing of the request
// itself, so no credentials or session tokens reach the log.
func (g *GlobalOptions) logCalls(stack *middleware.Stack) error {
	logger := g.Logger()
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("OrgstrapDebugLog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error) {
			start := time.Now()
			out, metadata, err := next.HandleInitialize(ctx, in)
			attrs := []any{"service", awsmiddleware.GetServiceID(ctx), "operation", awsmiddleware.GetOperationName(ctx),
				"duration", time.Since(start).Round(time.Millisecond)}
			if err != nil {
				attrs = append(attrs, "error", err)
			}
			logger.Debug("aws call", attrs...)
			return out, metadata, err
		}), middleware.After)
}
