// Package engine bootstraps and maintains the organization that an
// orgstrap.yaml describes. It discovers what exists in AWS (orgstrap keeps
// no state of its own: accounts and roles carry orgstrap:* tags), plans
// the changes with a reason for each, and applies them with environments
// in parallel, reporting progress as events.
package engine

import (
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/org"
)

// Account tags orgstrap discovers its accounts by.
const (
	TagManaged     = "orgstrap:managed"
	TagEnvironment = "orgstrap:environment"
)

// Renderer renders the deployment policies of an environment;
// *library.Library implements it.
type Renderer interface {
	Render(t library.Target) (*library.Rendered, error)
}

var _ Renderer = (*library.Library)(nil)

// Options tune the engine. Zero values take the defaults noted.
type Options struct {
	// Parallelism is how many environments are worked on at once
	// (default 10). Account creations of all of them run together, so
	// bootstrapping 10 environments takes about as long as one.
	Parallelism int
	// Retry is the SDK retry policy (default access.DefaultRetryOptions).
	Retry access.RetryOptions
	// AccessRole is the role assumed in member accounts (default
	// OrganizationAccountAccessRole).
	AccessRole string
	// AssumeTimeout bounds the wait for a new account's access role
	// (default 5 minutes).
	AssumeTimeout time.Duration
	// Poll paces DescribeCreateAccountStatus and the other waits
	// (default every 500 ms for the first 10 s, then growing by half each
	// time up to 10 s, with jitter).
	Poll access.Backoff
	// CreateAttempts bounds account creation submissions that fail with a
	// transient reason (default 5).
	CreateAttempts int
	// Resubmit paces those submissions (default 2 s, doubling up to 30 s,
	// with jitter).
	Resubmit access.Backoff
	// ProfileFile is the AWS CLI config file to write profiles to
	// (default AWS_CONFIG_FILE or ~/.aws/config).
	ProfileFile string
	// SourceProfile is the profile the written profiles take credentials
	// from; empty writes credential_source = Environment.
	SourceProfile string
	// OnEvent receives progress; calls are serialized.
	OnEvent func(Event)
}

// Engine plans and applies one config against one AWS management account.
type Engine struct {
	cfg      *config.Config
	aws      aws.Config
	renderer Renderer
	opts     Options
	org      *org.Client
	sts      *sts.Client

	mu sync.Mutex // serializes OnEvent
}

// New returns an engine for cfg using the management account's aws.Config,
// which it equips with orgstrap's retry policy.
func New(awsCfg aws.Config, cfg *config.Config, renderer Renderer, opts Options) *Engine {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	if opts.AccessRole == "" {
		opts.AccessRole = access.DefaultAccessRole
	}
	if opts.AssumeTimeout == 0 {
		opts.AssumeTimeout = 5 * time.Minute
	}
	if opts.Poll.Initial == 0 {
		opts.Poll = access.Backoff{Initial: 500 * time.Millisecond, Steady: 10 * time.Second, Max: 10 * time.Second}
	}
	if opts.CreateAttempts == 0 {
		opts.CreateAttempts = 5
	}
	if opts.Resubmit.Initial == 0 {
		opts.Resubmit = access.Backoff{Initial: 2 * time.Second, Max: 30 * time.Second}
	}
	awsCfg = access.Configure(awsCfg, opts.Retry)
	// Organizations has one endpoint, in us-east-1 for the aws partition.
	orgCfg := awsCfg.Copy()
	orgCfg.Region = "us-east-1"
	return &Engine{
		cfg: cfg, aws: awsCfg, renderer: renderer, opts: opts,
		org: org.New(organizations.NewFromConfig(orgCfg)),
		sts: sts.NewFromConfig(awsCfg),
	}
}

// EventKind classifies an event.
type EventKind string

// The kinds of events the engine emits.
const (
	EventStart   EventKind = "start"   // a change begins
	EventDone    EventKind = "done"    // a change finished
	EventWaiting EventKind = "waiting" // waiting for AWS to reach a state
	EventInfo    EventKind = "info"
	EventWarning EventKind = "warning"
	EventFailed  EventKind = "failed"
)

// Event is one step of progress.
type Event struct {
	Time        time.Time
	Kind        EventKind
	Environment string
	Message     string
}

func (e *Engine) emit(kind EventKind, env, format string, args ...any) {
	if e.opts.OnEvent == nil {
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opts.OnEvent(Event{Time: time.Now(), Kind: kind, Environment: env, Message: msg})
}
