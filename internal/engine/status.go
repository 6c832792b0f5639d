package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/orgstrap/orgstrap/internal/deployrole"
)

// Drift values of an environment's status.
const (
	DriftInSync  = "in-sync"
	DriftPending = "pending"         // config or policy library changed since the last apply
	DriftOutside = "changed-outside" // AWS differs from what orgstrap last applied
	DriftMissing = "missing"         // account or role does not exist
	// DriftNotInConfig marks an account tagged for an environment that the
	// config does not list.
	DriftNotInConfig = "not-in-config"
)

// EnvStatus is the state of one environment.
type EnvStatus struct {
	Name        string   `json:"name"`
	AccountID   string   `json:"account_id,omitempty"`
	AccountName string   `json:"account_name"`
	Email       string   `json:"email"`
	OU          string   `json:"ou"`
	State       string   `json:"state,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	Drift       string   `json:"drift"`
	// Changes summarise what apply would change.
	Changes []string `json:"changes,omitempty"`
	// Notes are differences apply does not change, each with its fix.
	Notes []string `json:"notes,omitempty"`
	// Rotation records the deploy role's rotations; nil without a role.
	Rotation *RotationStatus `json:"rotation,omitempty"`
}

// Status reports every environment's account, OU, roles and drift, then
// each account tagged for an environment the config does not list. It
// makes only read calls.
func (e *Engine) Status(ctx context.Context) ([]EnvStatus, error) {
	r, err := e.Plan(ctx)
	if err != nil {
		return nil, err
	}
	statuses := make([]EnvStatus, 0, len(r.Envs))
	for _, ep := range r.Envs {
		st := EnvStatus{Name: ep.Env.Name, AccountName: ep.Env.AccountName, Email: ep.Env.Email, OU: ouLabel(ep.Env.OU)}
		for _, c := range ep.Changes {
			st.Changes = append(st.Changes, fmt.Sprintf("%s %s %s", c.Action, c.Kind, c.Target))
		}
		for _, step := range slices.Concat(ep.Steps, ep.Retire) {
			c := step.Change
			st.Changes = append(st.Changes, fmt.Sprintf("%s %s %s", c.Action, c.Kind, c.Target))
		}
		if ep.Account == nil {
			st.Drift = DriftMissing
			statuses = append(statuses, st)
			continue
		}
		st.AccountID, st.State = ep.Account.ID, ep.Account.Status
		if ep.Move {
			if st.OU, err = e.actualOU(ctx, r.State, ep.Account.ID); err != nil {
				return nil, err
			}
		}
		for _, spec := range ep.Desired.Roles {
			if role := ep.Observed.Roles[spec.Name]; role != nil {
				st.Roles = append(st.Roles, role.ARN)
			}
		}
		st.Rotation = e.rotationStatus(ep)
		st.Drift = drift(ep)
		for _, w := range e.accountDrift(ep) {
			st.Notes = append(st.Notes, w.String())
			if st.Drift == DriftInSync {
				st.Drift = DriftOutside
			}
		}
		statuses = append(statuses, st)
	}
	for _, o := range r.Orphans {
		st, err := e.orphanStatus(ctx, r.State, o)
		if err != nil {
			return nil, err
		}
		statuses = append(statuses, st)
	}
	return statuses, nil
}

// orphanStatus reports an orphan account as AWS has it. Its roles are left
// out, because reading them would mean assuming a role in the account.
func (e *Engine) orphanStatus(ctx context.Context, s *State, o Orphan) (EnvStatus, error) {
	ou, err := e.actualOU(ctx, s, o.Account.ID)
	if err != nil {
		return EnvStatus{}, err
	}
	return EnvStatus{
		Name: o.Environment, AccountID: o.Account.ID, AccountName: o.Account.Name, Email: o.Account.Email,
		OU: ou, State: o.Account.Status, Drift: DriftNotInConfig, Notes: []string{e.orphanWarning(o).String()},
	}, nil
}

func drift(ep *EnvPlan) string {
	if len(ep.Changes) == 0 && len(ep.Steps) == 0 && len(ep.Retire) == 0 {
		return DriftInSync
	}
	for _, spec := range ep.Desired.Roles {
		if ep.Observed.Roles[spec.Name] == nil {
			return DriftMissing
		}
	}
	role := ep.Observed.Roles[ep.Desired.Roles[0].Name]
	if len(ep.Steps) > 0 && role.Tags[deployrole.TagDigest] == ep.Desired.Digest {
		return DriftOutside
	}
	if ep.Move {
		return DriftOutside
	}
	return DriftPending
}

// actualOU returns the path of the OU an account is in, or its parent id
// when the parent is not on a configured path.
func (e *Engine) actualOU(ctx context.Context, s *State, accountID string) (string, error) {
	parent, err := e.org.Parent(ctx, accountID)
	if err != nil {
		return "", err
	}
	for p, id := range s.OUs {
		if id == parent {
			return ouLabel(p), nil
		}
	}
	return parent, nil
}
