package library

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Access is the level of access a deploy role gets.
type Access string

const (
	// AccessBroad is service-wide access for development accounts.
	AccessBroad Access = "broad"
	// AccessRestricted is access scoped to the application's resources.
	AccessRestricted Access = "restricted"
)

// Defaults for the optional Target fields.
const (
	DefaultPartition    = "aws"
	DefaultBoundaryName = "orgstrap-boundary"
	DefaultPolicyPrefix = "orgstrap-deploy"
)

// Target is the environment a deploy role is rendered for. Template
// variables: ${partition}, ${account}, ${stage}, ${region} and ${service}
// (each region and service in turn), ${boundaryArn}, ${executionRoleArn},
// and the profiles' own variables.
type Target struct {
	Partition string // "aws" by default
	AccountID string
	Regions   []string
	Services  []string
	Stage     string
	Profiles  []string // profile names such as "serverless-framework", "aws-cdk"
	Access    Access
	// ServiceRole selects CloudFormation service-role mode: the deploy role
	// gets CloudFormation, artifact access and iam:PassRole on an execution
	// role, which gets the resource permissions. Broad access is
	// service-wide already, so the mode changes nothing there.
	ServiceRole bool
	// BoundaryName is the name of the managed policy used as the
	// permissions boundary (default "orgstrap-boundary").
	BoundaryName string
	// PolicyPrefix is the name prefix of the managed policies (default
	// "orgstrap-deploy"); the execution role is PolicyPrefix-cfn-exec.
	PolicyPrefix string
	// Variables override the profiles' variable defaults, such as the CDK
	// bootstrap qualifier.
	Variables map[string]string
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	servicePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	namePattern    = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)
)

var partitions = []string{"aws", "aws-cn", "aws-us-gov"}

// normalize applies defaults, sorts and deduplicates the lists, and checks
// every value.
func (t Target) normalize(l *Library) (Target, error) {
	if t.Partition == "" {
		t.Partition = DefaultPartition
	}
	if t.BoundaryName == "" {
		t.BoundaryName = DefaultBoundaryName
	}
	if t.PolicyPrefix == "" {
		t.PolicyPrefix = DefaultPolicyPrefix
	}
	t.Regions = sortedUnique(t.Regions)
	t.Services = sortedUnique(t.Services)
	t.Profiles = sortedUnique(t.Profiles)

	if err := t.check(); err != nil {
		return t, err
	}
	for _, name := range t.Profiles {
		if _, err := l.Profile(name); err != nil {
			return t, err
		}
	}
	for name := range t.Variables {
		if !l.declares(t.Profiles, name) {
			return t, fmt.Errorf("variable %q is not declared by profiles %s: remove it or check its spelling",
				name, strings.Join(t.Profiles, ", "))
		}
	}
	return t, nil
}

func (t Target) check() error {
	switch {
	case !slices.Contains(partitions, t.Partition):
		return fmt.Errorf("invalid partition %q: use one of %s", t.Partition, strings.Join(partitions, ", "))
	case !accountPattern.MatchString(t.AccountID):
		return fmt.Errorf("invalid account id %q: use the 12-digit AWS account id", t.AccountID)
	case len(t.Regions) == 0:
		return fmt.Errorf("missing regions: name at least one region, such as us-east-1")
	case len(t.Services) == 0:
		return fmt.Errorf("missing services: name at least one service (application) name")
	case len(t.Profiles) == 0:
		return fmt.Errorf("missing profiles: name at least one profile, such as serverless-framework")
	case !servicePattern.MatchString(t.Stage):
		return fmt.Errorf("invalid stage %q: use letters, digits and hyphens, such as prod", t.Stage)
	case t.Access != AccessBroad && t.Access != AccessRestricted:
		return fmt.Errorf("invalid access %q: use %s or %s", t.Access, AccessBroad, AccessRestricted)
	case !namePattern.MatchString(t.BoundaryName):
		return fmt.Errorf("invalid boundary policy name %q: use letters, digits and +=,.@_-", t.BoundaryName)
	case !namePattern.MatchString(t.PolicyPrefix):
		return fmt.Errorf("invalid policy prefix %q: use letters, digits and +=,.@_-", t.PolicyPrefix)
	}
	for _, r := range t.Regions {
		if !regionPattern.MatchString(r) {
			return fmt.Errorf("invalid region %q: use a region code such as us-east-1", r)
		}
	}
	for _, s := range t.Services {
		if !servicePattern.MatchString(s) {
			return fmt.Errorf("invalid service name %q: use letters, digits and hyphens", s)
		}
	}
	return nil
}

// declares reports whether any of the named profiles declares a variable.
func (l *Library) declares(names []string, variable string) bool {
	for _, name := range names {
		for _, v := range l.profiles[name].Variables {
			if v.Name == variable {
				return true
			}
		}
	}
	return false
}

func (t Target) boundaryARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", t.Partition, t.AccountID, t.BoundaryName)
}

func (t Target) executionRoleName() string { return t.PolicyPrefix + "-cfn-exec" }

func (t Target) executionRoleARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", t.Partition, t.AccountID, t.executionRoleName())
}

// variables returns the template variables of a profile for one service and
// region.
func (t Target) variables(p *Profile, service, region string) map[string]string {
	vars := map[string]string{
		"partition":        t.Partition,
		"account":          t.AccountID,
		"stage":            t.Stage,
		"service":          service,
		"region":           region,
		"boundaryArn":      t.boundaryARN(),
		"executionRoleArn": t.executionRoleARN(),
	}
	for _, v := range p.Variables {
		vars[v.Name] = expand(v.Default, vars)
		if value, ok := t.Variables[v.Name]; ok {
			vars[v.Name] = value
		}
	}
	return vars
}

func sortedUnique(list []string) []string {
	out := slices.Clone(list)
	sort.Strings(out)
	return slices.Compact(out)
}

// expandConditions fills in the templates of a condition block.
func expandConditions(conds map[string]map[string][]string, vars map[string]string) policy.Conditions {
	if len(conds) == 0 {
		return nil
	}
	out := policy.Conditions{}
	for op, keys := range conds {
		out[op] = map[string]policy.Values{}
		for key, values := range keys {
			expanded := make(policy.Values, len(values))
			for i, v := range values {
				expanded[i] = expand(v, vars)
			}
			out[op][key] = expanded
		}
	}
	return out
}
