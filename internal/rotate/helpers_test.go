package rotate

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// firstExternalID is the external id the test config gives new roles.
const firstExternalID = "first-external-id"

const testConfig = `version: 1
organization:
  create: true
environments:
  - name: dev
    account_name: acme-dev
    email: aws+dev@example.com
    access: broad
  - name: prod
    account_name: acme-prod
    email: aws+prod@example.com
    access: restricted
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1]
trust:
  external_id: ` + firstExternalID + `
`

var testLibrary = sync.OnceValues(func() (*library.Library, error) { return library.Load() })

func loadLibrary(t testing.TB) *library.Library {
	t.Helper()
	lib, err := testLibrary()
	if err != nil {
		t.Fatalf("loading the policy library: %v", err)
	}
	return lib
}

// clock is wall time shifted by an offset that tests advance, so the
// sandbox's delays still pass while session issue times can be placed in
// later seconds without sleeping.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// fixture is a sandbox enforcing IAM with the test config applied.
type fixture struct {
	sb          *sandbox.Sandbox
	aws         aws.Config
	endpoint    string
	clock       *clock
	cfg         *config.Config
	profileFile string
	mu          sync.Mutex
	events      []engine.Event
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, sandbox.Options{})
}

// newFixtureWith is newFixture with more sandbox options; IAM is always
// enforced and the clock is the fixture's.
func newFixtureWith(t *testing.T, opts sandbox.Options) *fixture {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c := &clock{}
	opts.EnforceIAM, opts.Now, opts.CreateAccountDelay = true, c.Now, 100*time.Millisecond
	sb, awsCfg := sandboxtest.Start(t, opts)
	cfg, err := config.Parse("orgstrap.yaml", []byte(testConfig), config.Options{Profiles: loadLibrary(t).Names()})
	if err != nil {
		t.Fatalf("parsing the test config: %v", err)
	}
	f := &fixture{sb: sb, aws: awsCfg, endpoint: aws.ToString(awsCfg.BaseEndpoint), clock: c, cfg: cfg,
		profileFile: filepath.Join(t.TempDir(), "aws-config")}
	ctx := context.Background()
	e := f.engine(nil)
	r, err := e.Plan(ctx)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if err := e.Apply(ctx, r); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return f
}

func (f *fixture) engineOptions(onEvent func(engine.Event)) engine.Options {
	return engine.Options{
		Retry:         access.RetryOptions{MaxAttempts: 12, MaxBackoff: 50 * time.Millisecond},
		Poll:          access.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond},
		AssumeTimeout: 30 * time.Second,
		ProfileFile:   f.profileFile,
		SourceProfile: "management",
		OnEvent:       onEvent,
	}
}

func (f *fixture) engine(onEvent func(engine.Event)) *engine.Engine {
	lib, _ := testLibrary()
	return engine.New(f.aws, f.cfg, lib, f.engineOptions(onEvent))
}

// rotator returns a Rotator whose events are recorded and passed to
// onEvent, which may be nil.
func (f *fixture) rotator(onEvent func(engine.Event)) *Rotator {
	record := func(ev engine.Event) {
		f.mu.Lock()
		f.events = append(f.events, ev)
		f.mu.Unlock()
		if onEvent != nil {
			onEvent(ev)
		}
	}
	return New(f.engine(record), f.cfg, Options{Now: f.clock.Now, OnEvent: record})
}

// plan reads the environments named.
func (f *fixture) plan(t *testing.T, rot *Rotator, envs ...string) *Plan {
	t.Helper()
	p, err := rot.Plan(context.Background(), envs)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

// accountID returns the id of an environment's account.
func (f *fixture) accountID(t *testing.T, env string) string {
	t.Helper()
	out, err := organizations.NewFromConfig(f.aws).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	for _, a := range out.Accounts {
		if aws.ToString(a.Name) == "acme-"+env {
			return aws.ToString(a.Id)
		}
	}
	t.Fatalf("no account for environment %s", env)
	return ""
}

// member returns an IAM client with the access role of an environment's
// account.
func (f *fixture) member(t *testing.T, env string) *iam.Client {
	t.Helper()
	a := &access.Assumer{STS: sts.NewFromConfig(f.aws), Base: f.aws, Timeout: 10 * time.Second,
		Backoff: access.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond}}
	cfg, err := a.Assume(context.Background(), f.accountID(t, env), access.DefaultAccessRole, "rotate-test")
	if err != nil {
		t.Fatalf("assuming the access role: %v", err)
	}
	return iam.NewFromConfig(cfg)
}

// assume assumes a deploy role as the management administrator, with the
// external id unless it is "", and returns an IAM client with the session.
func (f *fixture) assume(ctx context.Context, roleARN, externalID string) (*iam.Client, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci")}
	if externalID != "" {
		in.ExternalId = aws.String(externalID)
	}
	out, err := sts.NewFromConfig(f.aws).AssumeRole(ctx, in)
	if err != nil {
		return nil, err
	}
	c := out.Credentials
	cfg := sandboxtest.Config(f.endpoint, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	cfg.RetryMaxAttempts = 1
	return iam.NewFromConfig(cfg), nil
}

func (f *fixture) mustAssume(t *testing.T, roleARN, externalID string) *iam.Client {
	t.Helper()
	client, err := f.assume(context.Background(), roleARN, externalID)
	if err != nil {
		t.Fatalf("assuming %s with external id %s: %v", roleARN, externalID, err)
	}
	return client
}

// deployCall makes a call the deploy role's policies allow: reading a role
// of the orders service, which does not exist. It returns nil when the
// call was allowed (and found nothing) and the error otherwise.
func deployCall(ctx context.Context, client *iam.Client, env string) error {
	_, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orders-" + env + "-missing")})
	var missing *types.NoSuchEntityException
	if errors.As(err, &missing) {
		return nil
	}
	if err == nil {
		return errors.New("GetRole found a role that should not exist")
	}
	return err
}

// roleARN returns the ARN of a role in an environment's account.
func (f *fixture) roleARN(t *testing.T, env, role string) string {
	t.Helper()
	return "arn:aws:iam::" + f.accountID(t, env) + ":role/" + role
}

// roleTagsOf reads a role's tags through the access role.
func roleTagsOf(t *testing.T, client *iam.Client, role string) map[string]string {
	t.Helper()
	tags, err := roleTags(context.Background(), client, role)
	if err != nil {
		t.Fatalf("reading the tags of %s: %v", role, err)
	}
	return tags
}

// trustExternalID reads the external id in a role's trust policy.
func trustExternalID(t *testing.T, client *iam.Client, role string) string {
	t.Helper()
	out, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("GetRole %s: %v", role, err)
	}
	text, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatalf("decoding the trust policy of %s: %v", role, err)
	}
	doc, err := policy.ParseDocument([]byte(text))
	if err != nil {
		t.Fatalf("parsing the trust policy of %s: %v", role, err)
	}
	return deployrole.ExternalID(doc)
}

// deployRoles lists the roles in an environment's account whose names
// start with the deploy role's name.
func deployRoles(t *testing.T, client *iam.Client) []string {
	t.Helper()
	out, err := client.ListRoles(context.Background(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatalf("ListRoles: %v", err)
	}
	var names []string
	for _, r := range out.Roles {
		if name := aws.ToString(r.RoleName); strings.HasPrefix(name, config.DefaultRoleName) {
			names = append(names, name)
		}
	}
	return names
}

// cancelOn returns a context and an event handler that cancels it at the
// first event whose message contains text.
func cancelOn(text string) (context.Context, func(engine.Event)) {
	ctx, cancel := context.WithCancel(context.Background())
	return ctx, func(ev engine.Event) {
		if strings.Contains(ev.Message, text) {
			cancel()
		}
	}
}
