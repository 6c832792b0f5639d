package engine

import (
	"fmt"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/awsprofile"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
)

func (e *Engine) profilePath() (string, error) {
	if e.opts.ProfileFile != "" {
		return e.opts.ProfileFile, nil
	}
	return awsprofile.ConfigPath()
}

// profile returns the AWS CLI profile of an environment's deploy role.
func (e *Engine) profile(env, accountID, role string) awsprofile.Profile {
	p := awsprofile.Profile{
		Name:            e.cfg.AWSProfiles.Prefix + "-" + env,
		RoleARN:         fmt.Sprintf("arn:aws:iam::%s:role/%s", accountID, role),
		Region:          e.cfg.Deployment.Regions[0],
		RoleSessionName: roleSessionName(env),
	}
	if e.opts.SourceProfile != "" {
		p.SourceProfile = e.opts.SourceProfile
	} else {
		p.CredentialSource = "Environment"
	}
	return p
}

// profileChanges plans the AWS CLI profile sections.
func (e *Engine) profileChanges(r *Result) ([]plan.Change, error) {
	if !e.cfg.AWSProfiles.Enabled() {
		return nil, nil
	}
	path, err := e.profilePath()
	if err != nil {
		return nil, err
	}
	text, err := awsprofile.Read(path)
	if err != nil {
		return nil, err
	}

	var profiles []awsprofile.Profile
	for _, ep := range r.Envs {
		id := placeholderAccountID
		if ep.Account != nil {
			id = ep.Account.ID
		}
		profiles = append(profiles, e.profile(ep.Env.Name, id, activeDeployRole(e.cfg, ep)))
	}

	// Reject a clash with the user's own sections now rather than after
	// the accounts are made.
	if _, err := awsprofile.Update(text, e.cfg.AWSProfiles.Prefix, profiles); err != nil {
		return nil, access.WithFix(fmt.Errorf("planning AWS CLI profiles in %s: %w", path, err),
			"rename or remove that section, change aws_profiles.prefix, or set aws_profiles.write: false")
	}

	create, update, remove := awsprofile.Diff(text, e.cfg.AWSProfiles.Prefix, profiles)
	var changes []plan.Change
	add := func(names []string, action plan.Action, reason string) {
		for _, name := range names {
			changes = append(changes, plan.Change{Kind: plan.KindAWSProfile, Action: action, Target: name, Reason: reason + " in " + path})
		}
	}
	add(create, plan.ActionCreate, "no orgstrap section of this name")
	add(update, plan.ActionUpdate, "the section differs")
	add(remove, plan.ActionDelete, "no environment of this name in the config")
	return changes, nil
}

// writeProfiles writes the profiles of the environments whose account is
// known.
func (e *Engine) writeProfiles(r *Result) error {
	if !e.cfg.AWSProfiles.Enabled() {
		return nil
	}
	path, err := e.profilePath()
	if err != nil {
		return err
	}
	var profiles []awsprofile.Profile
	for _, ep := range r.Envs {
		if ep.Account != nil {
			profiles = append(profiles, e.profile(ep.Env.Name, ep.Account.ID, activeDeployRole(e.cfg, ep)))
		}
	}
	changed, err := awsprofile.Write(path, e.cfg.AWSProfiles.Prefix, profiles)
	if err != nil {
		return err
	}
	if changed {
		e.emit(EventDone, "", "wrote %d AWS CLI profiles to %s", len(profiles), path)
	}
	return nil
}
