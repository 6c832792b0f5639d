package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/policy"
)

// EngineBackend is the Backend on orgstrap's engine and policy library.
type EngineBackend struct {
	AWS     aws.Config
	Library *library.Library
	// ConfigPath is the orgstrap.yaml the wizard reads and writes.
	ConfigPath string
	// Options tune the engine; OnEvent is set by Apply.
	Options engine.Options

	mu sync.Mutex
	// planned is the last plan and the config it was made for, which Apply
	// reuses so that it applies what the review showed.
	planned    *engine.Result
	plannedFor *config.Config
}

var _ Backend = (*EngineBackend)(nil)

// Frameworks returns the library's profiles with their descriptions.
func (b *EngineBackend) Frameworks() []Framework {
	var out []Framework
	for _, name := range b.Library.Names() {
		f := Framework{Name: name}
		if p, err := b.Library.Profile(name); err == nil {
			f.Description = p.Description
		}
		out = append(out, f)
	}
	return out
}

// Discover reads orgstrap.yaml when it exists, then the caller, the
// organization and its accounts, and the live state of the config's
// environments.
func (b *EngineBackend) Discover(ctx context.Context) (*Discovery, error) {
	d := &Discovery{ConfigPath: b.ConfigPath}
	cfg := newDraft(b.Frameworks())
	if _, err := os.Stat(b.ConfigPath); err == nil {
		loaded, err := config.Load(b.ConfigPath, config.Options{Profiles: b.Library.Names()})
		if err != nil {
			return nil, access.WithFix(err, "fix "+b.ConfigPath+", or move it away to start over")
		}
		d.Config, cfg = loaded, loaded
	}

	// Discovery needs a config only for its OU paths. A missing
	// organization is no error here, because the wizard offers to create it.
	probe := cloneConfig(cfg)
	probe.Organization.Create = true
	eng := engine.New(b.AWS, probe, b.Library, b.Options)
	state, err := eng.Discover(ctx)
	if err != nil {
		return nil, err
	}
	d.CallerARN, d.CallerAccount, d.PrincipalARN = state.Caller.ARN, state.Caller.AccountID, state.Caller.PrincipalARN
	if o := state.Organization; o != nil {
		d.Organization = &Organization{ID: o.ID, ManagementAccountID: o.ManagementAccountID,
			Management: o.ManagementAccountID == state.Caller.AccountID}
		for _, a := range state.Accounts {
			if a.ID == o.ManagementAccountID || a.Status != "ACTIVE" {
				continue
			}
			d.Accounts = append(d.Accounts, Account{ID: a.ID, Name: a.Name, Email: a.Email,
				Environment: a.Tags[engine.TagEnvironment]})
		}
	}
	if d.Organization == nil {
		return d, nil
	}
	if d.Config == nil {
		b.discoverAdoptable(ctx, d, state)
		return d, nil
	}

	statuses, err := eng.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the state of the environments in %s: %w", b.ConfigPath, err)
	}
	for _, st := range statuses {
		es := EnvironmentStatus{Name: st.Name, AccountID: st.AccountID, Drift: driftLabel(st.Drift)}
		if len(st.Roles) > 0 {
			es.RoleARN = st.Roles[0]
		}
		d.Environments = append(d.Environments, es)
	}
	return d, nil
}

func driftLabel(drift string) string {
	switch drift {
	case engine.DriftInSync:
		return "in sync"
	case engine.DriftPending:
		return "config changed since the last apply"
	case engine.DriftOutside:
		return "changed outside orgstrap"
	case engine.DriftMissing:
		return "missing"
	}
	return drift
}

// Plan plans cfg and checks the rendered policies against the calls the
// chosen frameworks make.
func (b *EngineBackend) Plan(ctx context.Context, cfg *config.Config) (*Review, error) {
	r, err := engine.New(b.AWS, cfg, b.Library, b.Options).Plan(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.planned, b.plannedFor = r, cfg
	b.mu.Unlock()

	review := &Review{Plan: r.Plan}
	for _, ep := range r.Envs {
		if ep.Rendered == nil {
			continue
		}
		review.Policies = append(review.Policies, policies(ep.Env.Name, ep.Rendered)...)
		findings, err := lint(ep.Env.Name, ep.Rendered)
		if err != nil {
			return nil, err
		}
		review.Findings = append(review.Findings, findings...)
	}
	return review, nil
}

func policies(env string, r *library.Rendered) []Policy {
	var out []Policy
	add := func(p policy.NamedPolicy) {
		out = append(out, Policy{Environment: env, Name: p.Name, Document: plan.IndentJSON(p.Document)})
	}
	for _, p := range r.Policies {
		add(p)
	}
	if r.Boundary != nil {
		add(*r.Boundary)
	}
	if x := r.ExecutionRole; x != nil {
		for _, p := range x.Policies {
			add(p)
		}
	}
	return out
}

// sizeWarning is the share of IAM's 6,144-character managed policy limit
// past which a policy gets a finding, because a few more services or
// regions would split it.
const sizeWarning = 0.9

// lint runs the library's policy lint, evaluates every call the
// frameworks need against the rendered policies, and reports the denied
// calls and the policies close to IAM's size limit. Info findings, such as
// escalation paths scoped to named resources, are counted in one finding.
func lint(env string, r *library.Rendered) ([]Finding, error) {
	var findings []Finding
	info := 0
	for _, f := range library.LintRendered(r) {
		if f.Severity == library.SeverityInfo {
			info++
			continue
		}
		findings = append(findings, Finding{Environment: env, Policy: f.Policy, Severity: string(f.Severity),
			Message: f.Rule + ": " + f.Message})
	}
	if info > 0 {
		findings = append(findings, Finding{Environment: env, Severity: string(library.SeverityInfo),
			Message: fmt.Sprintf("%d scoped findings; `orgstrap policy lint PROFILE` lists them", info)})
	}

	results, err := r.Check(r.RequiredCalls)
	if err != nil {
		return nil, fmt.Errorf("checking the policies of environment %s: %w", env, err)
	}
	for _, res := range library.Denied(results) {
		findings = append(findings, Finding{Environment: env, Policy: res.Evaluation.Policy, Severity: "error",
			Message: fmt.Sprintf("%s (%s) on %s is denied: %s",
				res.Call.Action, res.Call.Command, res.Call.Resource, res.Evaluation.Reason)})
	}
	for _, p := range r.Policies {
		if size := policy.Size(p.Document); float64(size) > sizeWarning*library.MaxPolicySize {
			findings = append(findings, Finding{Environment: env, Policy: p.Name, Severity: "warning",
				Message: fmt.Sprintf("%d of %d characters used", size, library.MaxPolicySize)})
		}
	}
	return findings, nil
}

// WriteConfig writes cfg to path. When the file exists and cfg only
// appends environments to it, they are added in place, so the file keeps
// its comments. Any other change rewrites the file.
func (b *EngineBackend) WriteConfig(path string, cfg *config.Config) error {
	if added, ok := b.appended(path, cfg); ok {
		for _, env := range added {
			if env.Stage == env.Name {
				env.Stage = "" // the default, left out of the file
			}
			if _, err := config.AddEnvironment(path, env, config.Options{Profiles: b.Library.Names()}); err != nil {
				return err
			}
		}
		return nil
	}
	data, err := encodeConfig(cfg)
	if err != nil {
		return err
	}
	return writeFile(path, data)
}

// appended returns the environments cfg adds to the config at path, and
// whether that is its only difference.
func (b *EngineBackend) appended(path string, cfg *config.Config) ([]config.Environment, bool) {
	old, err := config.Load(path, config.Options{})
	if err != nil || len(cfg.Environments) < len(old.Environments) {
		return nil, false
	}
	trimmed := cloneConfig(cfg)
	trimmed.Environments = trimmed.Environments[:len(old.Environments)]
	before, err1 := encodeConfig(old)
	after, err2 := encodeConfig(trimmed)
	if err1 != nil || err2 != nil || string(before) != string(after) {
		return nil, false
	}
	return cfg.Environments[len(old.Environments):], true
}

// writeFile replaces path through a temporary file in its directory.
func writeFile(path string, data []byte) error {
	tmp := path + ".orgstrap-tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// envFailures maps each environment to its apply error, as the engine
// joins them: "environment NAME: ...".
func envFailures(err error) map[string]error {
	out := map[string]error{}
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for _, e := range errs {
		if rest, ok := strings.CutPrefix(e.Error(), "environment "); ok {
			name, _, _ := strings.Cut(rest, ":")
			out[name] = e
		}
	}
	return out
}
