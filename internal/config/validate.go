package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits and formats from the Organizations and IAM API references.
var (
	envNamePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	accountIDPattern  = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern     = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	roleNamePattern   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	variablePattern   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	roleARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)
	repoPattern       = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	servicePattern    = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{0,63}$`)
	stagePattern      = regexp.MustCompile(`^[a-zA-Z0-9-]{1,32}$`)
	ouNamePattern     = regexp.MustCompile(`^[\x20-\x7e]{1,128}$`)
	prefixPattern     = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)
)

// maxOUDepth is Organizations' nesting limit for OUs below the root.
const maxOUDepth = 5

type validator struct {
	root     *yaml.Node
	problems []Problem
}

func (v *validator) add(line int, path, message, fix string) {
	v.problems = append(v.problems, Problem{Line: line, Path: path, Message: message, Fix: fix})
}

// fail records a problem at the line of path.
func (v *validator) fail(path, message, fix string) {
	v.add(lineOf(v.root, path), path, message, fix)
}

func (v *validator) validate(c *Config, opts Options) {
	if c.Version != Version {
		v.fail("version", fmt.Sprintf("unsupported version %d", c.Version), "set version: 1")
	}
	if fs := c.Organization.FeatureSet; fs != "" && fs != DefaultFeatureSet {
		v.fail("organization.feature_set", fmt.Sprintf("unsupported feature set %q", fs),
			"use ALL: service control policies and tag policies need all features")
	}
	v.environments(c.Environments)
	v.deployment(c.Deployment, opts)
	v.trust(&c.Trust)
	if p := c.AWSProfiles.Prefix; p != "" && !prefixPattern.MatchString(p) {
		v.fail("aws_profiles.prefix", fmt.Sprintf("invalid profile prefix %q", p),
			"use up to 32 letters, digits, '.', '_' or '-'")
	}
}

func (v *validator) environments(envs []Environment) {
	if len(envs) == 0 {
		v.fail("environments", "no environments", "add at least one, for example name: dev")
	}
	names := map[string]int{}
	emails := map[string]int{}
	ids := map[string]int{}
	accountNames := map[string]int{}
	for i, env := range envs {
		path := fmt.Sprintf("environments[%d]", i)
		v.environment(path, env)
		duplicate(v, names, env.Name, i, path+".name", "environment name")
		duplicate(v, emails, strings.ToLower(env.Email), i, path+".email", "email")
		duplicate(v, ids, env.AccountID, i, path+".account_id", "account id")
		// A re-run finds an account creation still in progress by its
		// account name, so names must be unique; the name defaults to the
		// environment name.
		accountName := env.AccountName
		if accountName == "" {
			accountName = env.Name
		}
		if _, dupName := names[env.Name]; dupName && names[env.Name] != i {
			continue
		}
		duplicate(v, accountNames, accountName, i, path+".account_name", "account name")
	}
}

func duplicate(v *validator, seen map[string]int, value string, i int, path, what string) {
	if value == "" {
		return
	}
	if first, ok := seen[value]; ok {
		v.fail(path, fmt.Sprintf("duplicate %s %q, also used by environments[%d]", what, value, first),
			fmt.Sprintf("give each environment its own %s", what))
		return
	}
	seen[value] = i
}

func (v *validator) environment(path string, env Environment) {
	if !envNamePattern.MatchString(env.Name) {
		v.fail(path+".name", fmt.Sprintf("invalid environment name %q", env.Name),
			"use 1 to 32 lowercase letters, digits or '-', starting with a letter")
	}
	if n := env.AccountName; n != "" && (len(n) > 50 || !printableASCII(n)) {
		v.fail(path+".account_name", fmt.Sprintf("invalid account name %q", n),
			"use 1 to 50 printable ASCII characters")
	}
	if msg := checkEmail(env.Email); msg != "" {
		v.fail(path+".email", msg, "use an address of 6 to 64 ASCII characters such as aws+dev@example.com; AWS requires it to be unique")
	}
	v.ouPath(path+".ou", env.OU)
	if env.Access != AccessBroad && env.Access != AccessRestricted {
		v.fail(path+".access", fmt.Sprintf("invalid access %q", env.Access), "use broad or restricted")
	}
	if env.AccountID != "" && !accountIDPattern.MatchString(env.AccountID) {
		v.fail(path+".account_id", fmt.Sprintf("invalid account id %q", env.AccountID),
			"use the 12-digit id of the member account to adopt, quoted")
	}
	if env.Stage != "" && !stagePattern.MatchString(env.Stage) {
		v.fail(path+".stage", fmt.Sprintf("invalid stage %q", env.Stage),
			"use 1 to 32 letters, digits or '-'")
	}
}

func checkEmail(email string) string {
	if email == "" {
		return "missing email"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email, "@") {
		return fmt.Sprintf("invalid email %q", email)
	}
	if len(email) < 6 || len(email) > 64 || !printableASCII(email) {
		return fmt.Sprintf("invalid email %q: AWS accepts 6 to 64 ASCII characters", email)
	}
	return ""
}

func (v *validator) ouPath(path, ou string) {
	if ou == "" {
		return
	}
	parts := strings.Split(ou, "/")
	if len(parts) > maxOUDepth {
		v.fail(path, fmt.Sprintf("OU path %q is %d levels deep", ou, len(parts)),
			"use at most 5 levels: Organizations limits OU nesting to 5")
	}
	for _, part := range parts {
		if !ouNamePattern.MatchString(part) || strings.TrimSpace(part) != part {
			v.fail(path, fmt.Sprintf("invalid OU path %q", ou),
				"separate OU names with '/', such as Workloads/Dev, without leading, trailing or double slashes")
			return
		}
	}
}

func (v *validator) deployment(d Deployment, opts Options) {
	if len(d.Profiles) == 0 {
		v.fail("deployment.profiles", "no deployment profiles", "list at least one, such as serverless-framework")
	}
	for i, p := range d.Profiles {
		if opts.Profiles != nil && !slices.Contains(opts.Profiles, p) {
			v.fail(fmt.Sprintf("deployment.profiles[%d]", i), fmt.Sprintf("unknown profile %q", p),
				"use one of "+strings.Join(opts.Profiles, ", "))
		}
	}
	if len(d.Services) == 0 {
		v.fail("deployment.services", "no services", "list the service names the role deploys, such as orders")
	}
	for i, s := range d.Services {
		if !servicePattern.MatchString(s) {
			v.fail(fmt.Sprintf("deployment.services[%d]", i), fmt.Sprintf("invalid service name %q", s),
				"use letters, digits and '-', starting with a letter")
		}
	}
	if len(d.Regions) == 0 {
		v.fail("deployment.regions", "no regions", "list the regions deployed to, such as us-east-1")
	}
	for i, r := range d.Regions {
		if !regionPattern.MatchString(r) {
			v.fail(fmt.Sprintf("deployment.regions[%d]", i), fmt.Sprintf("invalid region %q", r),
				"use a region code such as us-east-1 or eu-west-1")
		}
	}
	for name := range d.Variables {
		if !variablePattern.MatchString(name) {
			v.fail("deployment.variables."+name, fmt.Sprintf("invalid variable name %q", name),
				"use a variable name the profiles declare, such as qualifier (see orgstrap policy show PROFILE)")
		}
	}
	if d.RoleName != "" && !roleNamePattern.MatchString(d.RoleName) {
		v.fail("deployment.role_name", fmt.Sprintf("invalid role name %q", d.RoleName),
			"use up to 64 letters, digits or +=,.@_-")
	}
}

func (v *validator) trust(t *Trust) {
	for i, arn := range t.RoleARNs {
		if !roleARNPattern.MatchString(arn) {
			v.fail(fmt.Sprintf("trust.role_arns[%d]", i), fmt.Sprintf("invalid role ARN %q", arn),
				"use arn:aws:iam::123456789012:role/NAME")
		}
	}
	if gh := t.GitHub; gh != nil {
		if !repoPattern.MatchString(gh.Repository) {
			v.fail("trust.github.repository", fmt.Sprintf("invalid repository %q", gh.Repository),
				"use OWNER/REPO")
		}
		if len(gh.Branches) == 0 && len(gh.Environments) == 0 {
			v.fail("trust.github", "no branches or environments",
				"list the branches (such as main) or GitHub environments allowed to deploy")
		}
	}
	if id := t.ExternalID; id != "" && (len(id) < 2 || len(id) > 1224 || !externalIDPattern.MatchString(id)) {
		v.fail("trust.external_id", "invalid external id",
			"use 2 to 1,224 characters of letters, digits and +=,.@:/-")
	}
	if !t.TrustsCaller() && len(t.RoleARNs) == 0 && t.GitHub == nil {
		v.fail("trust", "nobody may assume the deployment roles",
			"set caller: true, list role_arns or configure github")
	}
	v.sessionDuration(t)
}

func (v *validator) sessionDuration(t *Trust) {
	if t.MaxSessionDuration == "" {
		return
	}
	d, err := time.ParseDuration(t.MaxSessionDuration)
	if err != nil {
		v.fail("trust.max_session_duration", fmt.Sprintf("invalid duration %q", t.MaxSessionDuration),
			"use a duration such as 1h or 90m")
		return
	}
	if d < time.Hour || d > 12*time.Hour || d%time.Second != 0 {
		v.fail("trust.max_session_duration", fmt.Sprintf("max session duration %s is out of range", d),
			"use a whole number of seconds from 1h to 12h, as IAM allows")
		return
	}
	t.SessionDuration = d
}

func printableASCII(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return true
}
