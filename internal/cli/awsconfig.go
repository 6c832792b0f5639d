package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
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
