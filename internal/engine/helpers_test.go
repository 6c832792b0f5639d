package engine

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

const twoEnvConfig = `version: 1
organization:
  create: true
environments:
  - name: dev
    account_name: acme-dev
    email: aws+dev@example.com
    ou: Workloads/Dev
    access: broad
  - name: prod
    account_name: acme-prod
    email: aws+prod@example.com
    ou: Workloads/Prod
    access: restricted
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1, eu-west-1]
`

// testLibrary loads the policy library once for all tests.
var testLibrary = sync.OnceValues(func() (*library.Library, error) { return library.Load() })

func loadLibrary(t testing.TB) *library.Library {
	t.Helper()
	lib, err := testLibrary()
	if err != nil {
		t.Fatalf("loading the policy library: %v", err)
	}
	return lib
}

func parseConfig(t testing.TB, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("orgstrap.yaml", []byte(text), config.Options{Profiles: loadLibrary(t).Names()})
	if err != nil {
		t.Fatalf("parsing the test config: %v", err)
	}
	return cfg
}

// fixture is a sandbox with an engine pointed at it.
type fixture struct {
	sb          *sandbox.Sandbox
	aws         aws.Config
	profileFile string
	events      []Event
	mu          sync.Mutex
}

func newFixture(t testing.TB, opts sandbox.Options) *fixture {
	t.Helper()
	if opts.CreateAccountDelay == 0 {
		opts.CreateAccountDelay = 200 * time.Millisecond
	}
	sb, cfg := sandboxtest.Start(t, opts)
	return &fixture{sb: sb, aws: cfg, profileFile: filepath.Join(t.TempDir(), "aws-config")}
}

// engine returns an engine for config text with fast waits for tests.
func (f *fixture) engine(t testing.TB, text string) *Engine {
	t.Helper()
	return New(f.aws, parseConfig(t, text), loadLibrary(t), Options{
		Retry:         access.RetryOptions{MaxAttempts: 12, MaxBackoff: 50 * time.Millisecond},
		Poll:          access.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond},
		Resubmit:      access.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond},
		AssumeTimeout: 30 * time.Second,
		ProfileFile:   f.profileFile,
		SourceProfile: "management",
		OnEvent: func(ev Event) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.events = append(f.events, ev)
		},
	})
}

// apply plans and applies text, failing the test on error.
func (f *fixture) apply(t testing.TB, text string) *Result {
	t.Helper()
	ctx := context.Background()
	e := f.engine(t, text)
	r, err := e.Plan(ctx)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if err := e.Apply(ctx, r); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return r
}

// readPrefixes are the action name prefixes of calls that change nothing.
var readPrefixes = []string{"Get", "List", "Describe", "Simulate"}

func isRead(call string) bool {
	_, action, _ := strings.Cut(call, ":")
	if call == "sts:AssumeRole" {
		return true
	}
	for _, p := range readPrefixes {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// splitCalls separates the sandbox's call counts into mutating calls and
// the number of reads.
func splitCalls(calls map[string]int) (mutating map[string]int, reads int) {
	mutating = map[string]int{}
	for call, n := range calls {
		if isRead(call) {
			reads += n
		} else {
			mutating[call] += n
		}
	}
	return mutating, reads
}

func stsClient(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) }
