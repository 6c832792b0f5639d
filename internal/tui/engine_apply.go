package tui

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/awsprofile"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine"
)

// Apply applies cfg with the plan the last Plan call made for it, or a new
// plan, and reports the engine's events on events. An environment's
// fraction is the share of its expected start and done events seen so
// far, an estimate held below 1 until the engine returns.
func (b *EngineBackend) Apply(ctx context.Context, cfg *config.Config, events chan<- Event) (*Result, error) {
	b.mu.Lock()
	r := b.planned
	if b.plannedFor != cfg {
		r = nil
	}
	b.planned, b.plannedFor = nil, nil
	b.mu.Unlock()

	progress := newProgressEstimate()
	opts := b.Options
	opts.OnEvent = func(e engine.Event) {
		ev := Event{Environment: e.Environment, Message: e.Message, Time: e.Time, Fraction: -1}
		if e.Environment != "" && (e.Kind == engine.EventStart || e.Kind == engine.EventDone) {
			ev.Fraction = progress.step(e.Environment)
		}
		if e.Kind == engine.EventFailed || e.Kind == engine.EventWarning {
			ev.Message = string(e.Kind) + ": " + e.Message
		}
		events <- ev
	}
	eng := engine.New(b.AWS, cfg, b.Library, opts)
	if r == nil {
		var err error
		if r, err = eng.Plan(ctx); err != nil {
			return nil, err
		}
	}
	for _, ep := range r.Envs {
		// Two events (start, done) per account change, one start per role
		// step, then the roles' and the verification's done events.
		progress.expect(ep.Env.Name, 2*len(ep.Changes)+len(ep.Steps)+2)
	}

	applyErr := eng.Apply(ctx, r)
	failures := envFailures(applyErr)
	for _, ep := range r.Envs {
		done := Event{Environment: ep.Env.Name, Done: true, Fraction: 1, Message: "ready"}
		if err, ok := failures[ep.Env.Name]; ok {
			done.Err, done.Fix, done.Fraction, done.Message = err, access.Fix(err), -1, "failed"
		} else if applyErr != nil && ep.Account == nil {
			done.Err, done.Fraction, done.Message = errors.New("not started"), -1, "not started"
		}
		events <- done
	}
	return b.result(cfg, r), applyErr
}

// result collects the ids and ARNs of the environments whose account
// exists after apply.
func (b *EngineBackend) result(cfg *config.Config, r *engine.Result) *Result {
	res := &Result{}
	if cfg.AWSProfiles.Enabled() {
		res.ProfilesFile = b.Options.ProfileFile
		if res.ProfilesFile == "" {
			res.ProfilesFile, _ = awsprofile.ConfigPath()
		}
	}
	for _, ep := range r.Envs {
		if ep.Account == nil {
			continue
		}
		id := ep.Account.ID
		er := EnvironmentResult{
			Name:      ep.Env.Name,
			AccountID: id,
			RoleARN:   fmt.Sprintf("arn:aws:iam::%s:role/%s", id, cfg.Deployment.RoleName),
			Region:    cfg.Deployment.Regions[0],
		}
		if ep.Rendered != nil && ep.Rendered.Boundary != nil {
			er.BoundaryARN = fmt.Sprintf("arn:aws:iam::%s:policy/%s", id, ep.Rendered.Boundary.Name)
		}
		if cfg.AWSProfiles.Enabled() {
			er.Profile = cfg.AWSProfiles.Prefix + "-" + ep.Env.Name
		}
		res.Environments = append(res.Environments, er)
	}
	return res
}

// progressEstimate counts each environment's events against the number
// expected from its plan.
type progressEstimate struct {
	expected map[string]int
	seen     map[string]int
}

func newProgressEstimate() *progressEstimate {
	return &progressEstimate{expected: map[string]int{}, seen: map[string]int{}}
}

func (p *progressEstimate) expect(env string, n int) { p.expected[env] = max(1, n) }

// step records an event of env and returns its estimated progress. The
// engine serializes its events, so no lock is needed.
func (p *progressEstimate) step(env string) float64 {
	p.seen[env]++
	return min(0.95, float64(p.seen[env])/float64(max(1, p.expected[env])))
}
