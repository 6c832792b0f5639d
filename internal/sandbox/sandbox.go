// Package sandbox is a local emulation of the parts of AWS Organizations, IAM
// and STS that orgstrap uses. It serves AWS's wire protocols over HTTP, so
// unmodified aws-sdk-go-v2 clients and the AWS CLI work against it.
//
// It verifies SigV4 signatures and decodes JSON 1.1 (Organizations) and
// Query (IAM, STS) requests. It injects the faults configured in Options,
// implements Organizations, persists its state, and delegates IAM and STS
// to identity.Store. Every request runs under one mutex.
package sandbox

import (
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
	"github.com/orgstrap/orgstrap/internal/sandbox/identity"
)

// Defaults for the zero values of Options.
const (
	DefaultCreateAccountDelay = 2 * time.Second
	// DefaultAccountQuota is AWS's default limit of accounts in an
	// organization, the management account included.
	DefaultAccountQuota = 10
	// adminUserName is the management account's administrator, whose keys
	// AdminCredentials returns.
	adminUserName = "admin"
)

// Options configures a Sandbox.
type Options struct {
	// CreateAccountDelay is how long CreateAccount stays IN_PROGRESS. Zero
	// means DefaultCreateAccountDelay; a negative value means no delay, so
	// the request has finished by the next call.
	CreateAccountDelay time.Duration
	// ConsistencyDelay is how long a new account's access role, and a
	// created or changed role or trust policy, take to have effect.
	ConsistencyDelay time.Duration
	// ThrottleRate is the fraction of requests, from 0 to 1, that get the
	// service's throttling error.
	ThrottleRate float64
	// Seed seeds the generator that picks throttled requests, so a test can
	// repeat a run; zero means a random seed.
	Seed uint64
	// AccountQuota is the maximum number of accounts in the organization,
	// the management account included; zero means DefaultAccountQuota.
	AccountQuota int
	// MaxConcurrentCreations is how many CreateAccount requests may be in
	// progress at once; a request past it fails with
	// CONCURRENT_ACCOUNT_MODIFICATION. AWS publishes no such number, but
	// reports that failure when several accounts are created at the same
	// moment. Zero means no limit.
	MaxConcurrentCreations int
	// EnforceIAM checks every call against the caller's IAM policies.
	EnforceIAM bool
	// StatePath is the JSON file the state is saved to after every change
	// and loaded from at New; "" keeps the state in memory only.
	StatePath string
	// Now is the clock for simulated time (delays, timestamps); nil means
	// time.Now. Signature dates are checked against the wall clock because
	// clients sign with it.
	Now func() time.Time
	// Logger receives one record per request; nil discards them.
	Logger *slog.Logger
}

// identityStore lists the identity.Store methods the core calls.
type identityStore interface {
	AddAccount(accountID string)
	CreateAdmin(accountID, userName string) (keyID, secret string)
	CreateAccessRole(accountID, roleName, trustedAccountID string, at time.Time) error
	Credentials(accessKeyID, sessionToken string) (string, *api.Caller, *api.Error)
	Authorize(caller *api.Caller, action, resource string, ctx map[string][]string) *api.Error
	HandleIAM(caller *api.Caller, action string, params url.Values) (any, bool, *api.Error)
	HandleSTS(caller *api.Caller, action string, params url.Values) (any, bool, *api.Error)
	MarshalJSON() ([]byte, error)
	UnmarshalJSON(data []byte) error
}

var _ identityStore = (*identity.Store)(nil)

// Sandbox is the emulated AWS: Organizations state, the identity store and
// the fault settings. Its methods are safe for concurrent use.
type Sandbox struct {
	opts   Options
	logger *slog.Logger

	mu       sync.Mutex
	org      *organizations
	identity identityStore
	admin    adminKey
	throttle *rand.Rand
	calls    map[string]int
	// lock holds the state file for this process; nil without StatePath.
	lock *os.File
}

// adminKey is the management account's administrator key. It is persisted
// with the state so that a restarted sandbox prints the same credentials.
type adminKey struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// New returns a sandbox. When opts.StatePath names an existing file, New
// loads the state from it. Otherwise it creates a management account with
// an administrator user and saves that state when StatePath is set.
func New(opts Options) (*Sandbox, error) {
	if opts.CreateAccountDelay == 0 {
		opts.CreateAccountDelay = DefaultCreateAccountDelay
	} else if opts.CreateAccountDelay < 0 {
		opts.CreateAccountDelay = 0
	}
	if opts.AccountQuota == 0 {
		opts.AccountQuota = DefaultAccountQuota
	}
	if opts.ThrottleRate < 0 || opts.ThrottleRate > 1 {
		return nil, fmt.Errorf("invalid throttle rate %v: want a fraction from 0 to 1", opts.ThrottleRate)
	}
	if opts.AccountQuota < 1 {
		return nil, fmt.Errorf("invalid account quota %d: the management account needs at least 1", opts.AccountQuota)
	}
	if opts.MaxConcurrentCreations < 0 {
		return nil, fmt.Errorf("invalid maximum of concurrent account creations %d: want 0 (no limit) or more", opts.MaxConcurrentCreations)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}

	s := &Sandbox{
		opts:     opts,
		logger:   logger,
		throttle: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		calls:    map[string]int{},
	}
	s.org = newOrganizations(opts.AccountQuota, opts.CreateAccountDelay)
	s.org.maxCreating = opts.MaxConcurrentCreations
	s.identity = identity.NewStore(identity.Options{
		Now:              opts.Now,
		ConsistencyDelay: opts.ConsistencyDelay,
		EnforceIAM:       opts.EnforceIAM,
		Partition:        "aws",
		OrgOf:            s.org.organizationOf,
	})

	if opts.StatePath != "" {
		lock, err := lockState(opts.StatePath)
		if err != nil {
			return nil, &StateError{Path: opts.StatePath, Err: err}
		}
		s.lock = lock
	}
	loaded, err := s.load()
	if err == nil && !loaded {
		s.bootstrap()
		err = s.save()
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the state file for another sandbox process. The sandbox
// must serve no request after it.
func (s *Sandbox) Close() {
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

// bootstrap creates the management account and its administrator.
func (s *Sandbox) bootstrap() {
	id := s.org.newAccountID()
	s.org.Management = &account{
		ID:    id,
		Name:  "management",
		Email: "management@sandbox.orgstrap.invalid",
	}
	s.identity.AddAccount(id)
	s.admin.AccessKeyID, s.admin.SecretAccessKey = s.identity.CreateAdmin(id, adminUserName)
}

// AdminCredentials returns the access key of the management account's
// administrator user.
func (s *Sandbox) AdminCredentials() (accessKeyID, secretAccessKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.admin.AccessKeyID, s.admin.SecretAccessKey
}

// ManagementAccountID returns the id of the management account.
func (s *Sandbox) ManagementAccountID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.Management.ID
}

// Calls returns how many requests each "service:Action" received since New
// or the last ResetCalls, throttled ones included. Requests whose
// signature failed are not counted.
func (s *Sandbox) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// ResetCalls sets every call count back to zero.
func (s *Sandbox) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

func (s *Sandbox) now() time.Time { return s.opts.Now().UTC() }
