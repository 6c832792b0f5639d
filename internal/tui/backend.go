// Package tui is orgstrap's interactive wizard: a bubbletea program that
// collects an orgstrap.yaml through a few screens, shows the plan, applies
// it and summarises the result. It makes no AWS call itself. Every call
// goes through a Backend, and runs in a tea.Cmd that returns a typed
// message, so Update and View do no I/O.
package tui

import (
	"context"
	"time"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/rotate"
)

// Backend is the wizard's view of the engine: the calls its screens make.
type Backend interface {
	// Discover looks at the caller, the organization and orgstrap.yaml.
	Discover(ctx context.Context) (*Discovery, error)
	// Frameworks lists the deployment profiles of the policy library.
	Frameworks() []Framework
	// Plan computes the changes cfg needs, the policies it installs and the
	// lint findings on them.
	Plan(ctx context.Context, cfg *config.Config) (*Review, error)
	// Apply makes AWS match cfg. It sends progress on events, and closes
	// nothing: the caller owns the channel.
	Apply(ctx context.Context, cfg *config.Config, events chan<- Event) (*Result, error)
	// WriteConfig writes cfg to path as orgstrap.yaml.
	WriteConfig(path string, cfg *config.Config) error
	// PlanRotation reads the deploy roles of cfg's environments and what
	// each rotation mode would do to them.
	PlanRotation(ctx context.Context, cfg *config.Config) (*RotationPlan, error)
	// Rotate rotates the deploy roles of the environments named in mode,
	// one after the other. It sends progress on events, then one Done
	// event per environment, and closes nothing.
	Rotate(ctx context.Context, cfg *config.Config, envs []string, mode rotate.Mode, events chan<- Event) (*RotationResult, error)
}

// Discovery is the state found before the wizard changes anything.
type Discovery struct {
	// CallerARN is the STS identity orgstrap runs as, and CallerAccount its
	// account id.
	CallerARN     string
	CallerAccount string
	// PrincipalARN is the IAM ARN a trust policy names for the caller.
	PrincipalARN string
	// Organization is nil when the caller's account is in none.
	Organization *Organization
	// Accounts are the organization's member accounts, the management
	// account excluded.
	Accounts []Account
	// ConfigPath is the orgstrap.yaml file the wizard reads and writes, and
	// Config its content, nil when the file does not exist yet.
	ConfigPath string
	Config     *config.Config
	// Environments is the live state of the environments Config names,
	// empty without a config.
	Environments []EnvironmentStatus
	// Adoptable are the environments an earlier run of orgstrap made,
	// found by their accounts' orgstrap tags. Discover fills it only when
	// there is no config, so that the wizard can start from them.
	Adoptable []AdoptableEnvironment
	// AdoptableErr is the error that kept Discover from reading the OUs
	// and deploy roles of Adoptable, nil when it read them.
	AdoptableErr error
}

// Managed reports whether orgstrap already manages this organization: a
// config exists and at least one of its environments has an account.
func (d *Discovery) Managed() bool {
	if d.Config == nil || d.Organization == nil {
		return false
	}
	for _, env := range d.Environments {
		if env.AccountID != "" {
			return true
		}
	}
	return false
}

// Organization is the caller's organization.
type Organization struct {
	ID                  string
	ManagementAccountID string
	// Management reports whether the caller is in the management account,
	// which orgstrap needs.
	Management bool
}

// Account is a member account that an environment can adopt.
type Account struct {
	ID    string
	Name  string
	Email string
	// Environment is the orgstrap:environment tag, "" for an account
	// orgstrap does not manage.
	Environment string
}

// AdoptableEnvironment is a member account tagged orgstrap:managed=true
// and orgstrap:environment=Name, as an earlier run of orgstrap left it.
type AdoptableEnvironment struct {
	Name    string
	Account Account
	// OU is the path of the account's OU, set only when OUFound is.
	// Discovery resolves the OU paths the wizard suggests and no others, so
	// an account elsewhere has OUFound false.
	OU      string
	OUFound bool
	// Access is restricted when the account's deploy role has a permissions
	// boundary and broad when it has none. It is "" when the role could not
	// be read, such as a role under another name than the default.
	Access config.Access
}

// EnvironmentStatus is one environment's live state.
type EnvironmentStatus struct {
	Name      string
	AccountID string
	RoleARN   string
	// Drift is "in sync", "changed outside orgstrap" or "missing".
	Drift string
}

// Framework is a deployment profile of the policy library.
type Framework struct {
	Name        string
	Description string
}

// Review is the content of the review screen: plan, policies, findings.
type Review struct {
	Plan     *plan.Plan
	Policies []Policy
	Findings []Finding
}

// Policy is one policy document the apply installs.
type Policy struct {
	Environment string
	Name        string
	// Document is indented JSON.
	Document string
}

// Finding is one lint finding on a rendered policy.
type Finding struct {
	Environment string
	Policy      string
	Severity    string
	Message     string
}

// Event is one step of progress during apply.
type Event struct {
	// Environment is "" for organization-wide steps.
	Environment string
	Message     string
	// Done marks the environment finished, successfully unless Err is set.
	Done bool
	Err  error
	// Fix is the action that resolves Err, "" when none is known.
	Fix string
	// Fraction is the environment's progress from 0 to 1, or -1 unknown.
	Fraction float64
	Time     time.Time
}

// Result is the outcome of apply: the accounts and roles it built.
type Result struct {
	Environments []EnvironmentResult
	// ProfilesFile is the AWS CLI config file the profiles went to, "" when
	// none were written.
	ProfilesFile string
}

// EnvironmentResult is one environment after apply.
type EnvironmentResult struct {
	Name      string
	AccountID string
	RoleARN   string
	// BoundaryARN is the permissions boundary policy, "" for broad access.
	BoundaryARN string
	Profile     string
	Region      string
}

// RotationPlan is the content of the rotation screen before the user
// confirms: each environment's deploy role and what each mode would do.
type RotationPlan struct {
	Environments []RotationTarget
}

// Pending reports whether a blue/green rotation left a previous role that
// finishing would delete, in any environment.
func (p *RotationPlan) Pending() bool {
	for _, t := range p.Environments {
		if t.Replaces != "" {
			return true
		}
	}
	return false
}

// RotationTarget is one environment as a rotation finds it.
type RotationTarget struct {
	Name      string
	AccountID string
	// RoleARN is the active deploy role, "" when the environment has none.
	RoleARN string
	// Unavailable is the reason the environment cannot be rotated, such as
	// a missing account, or "" when it can.
	Unavailable string
	// RotatedAt is the last completed rotation, zero when there was none.
	RotatedAt time.Time
	// InProgress is set when an interrupted rotation will be resumed.
	InProgress bool
	// Replaces is the previous generation's role that finishing deletes,
	// "" when no replacement is pending.
	Replaces string
	// Actions are the lines saying what each mode would do.
	Actions map[rotate.Mode]string
}

// RotationResult is the outcome of a rotation, one entry per environment
// it worked on.
type RotationResult struct {
	Mode         rotate.Mode
	Environments []RotatedEnvironment
}

// ExternalIDs reports whether any environment got a new external id.
func (r *RotationResult) ExternalIDs() bool {
	for _, env := range r.Environments {
		if env.ExternalID != "" {
			return true
		}
	}
	return false
}

// RotatedEnvironment is one environment after a rotation.
type RotatedEnvironment struct {
	Name string
	// RoleARN is the active deploy role after the rotation.
	RoleARN string
	// PreviousRoleARN is, after a replacement, the role CI used until now.
	PreviousRoleARN string
	Generation      int
	RotatedAt       time.Time
	// RevokedBefore is the cutoff of an in-place rotation: sessions issued
	// before it are denied everything. It is zero for the other modes.
	RevokedBefore time.Time
	// ExternalID is the new external id callers must pass to AssumeRole,
	// "" when the role requires none or the mode did not change it.
	ExternalID string
	// Deleted is the previous role that finishing deleted, "" for none.
	Deleted string
	Resumed bool
	// Err is the environment's failure, and Fix the action that resolves it.
	Err error
	Fix string
}
