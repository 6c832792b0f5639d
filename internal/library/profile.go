// Package library holds the deployment profiles, which record what each
// framework calls and on which resources, and derives deploy-role policies
// from them. Broad access is service-wide, for development accounts.
// Restricted access is scoped to the applications' own resources, for
// production, and a permissions boundary caps the roles the deployer creates.
package library

// Profile is one framework's permission profile, loaded from YAML.
type Profile struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Variables   []Variable `yaml:"variables"`
	// Statements are the restricted grants. Resource and condition values
	// are templates (see Target for the variables).
	Statements []Statement `yaml:"statements"`
	Broad      Broad       `yaml:"broad"`
	Boundary   Boundary    `yaml:"boundary"`
	// Escalation declares every privilege-escalation action the profile
	// grants and how each is scoped; validation checks the statements
	// against it.
	Escalation []Escalation `yaml:"escalation"`
	// Roles are further roles the profile renders, such as the AWS CDK
	// bootstrap roles.
	Roles    []RoleTemplate `yaml:"roles"`
	Commands []Command      `yaml:"commands"`

	// File is the file the profile came from, for messages.
	File string `yaml:"-"`
}

// Variable is a profile variable with its default, such as the CDK
// bootstrap qualifier.
type Variable struct {
	Name        string `yaml:"name"`
	Default     string `yaml:"default"`
	Description string `yaml:"description"`
}

// Caller values: who makes a call or uses a statement's permissions.
const (
	// CallerCLI is the framework's command-line tool, with the deploy role.
	CallerCLI = "cli"
	// CallerCloudFormation is CloudFormation acting for the deployer: with
	// the deploy role's credentials, or with the execution role in
	// service-role mode.
	CallerCloudFormation = "cloudformation"
	// CallerBoth marks a statement both need, such as deployment bucket
	// access when the CLI uploads and the stack creates the bucket.
	CallerBoth = "both"
)

// Statement is one templated grant.
type Statement struct {
	Sid string `yaml:"sid"`
	// Effect is "Allow" (the default) or "Deny".
	Effect string `yaml:"effect"`
	// Caller is CallerCLI (the default), CallerCloudFormation or CallerBoth.
	Caller     string                         `yaml:"caller"`
	Actions    []string                       `yaml:"actions"`
	Resources  []string                       `yaml:"resources"`
	Conditions map[string]map[string][]string `yaml:"conditions"`
}

// Broad is a profile's definition of service-wide development access.
type Broad struct {
	// Actions are allowed on "*". Escalation-sensitive actions may not be
	// among them.
	Actions []string `yaml:"actions"`
	// Statements are scoped grants that broad access needs besides, such as
	// role management under the permissions boundary.
	Statements []Statement `yaml:"statements"`
}

// Boundary describes the permissions boundary of the roles the deployer
// creates.
type Boundary struct {
	// Allow lists what application roles may do, on "*".
	Allow []string `yaml:"allow"`
}

// Escalation scopes.
const (
	// ScopeBoundary requires the condition StringEquals
	// iam:PermissionsBoundary = ${boundaryArn}.
	ScopeBoundary = "boundary"
	// ScopePassedToService requires an iam:PassedToService condition.
	ScopePassedToService = "passed-to-service"
	// ScopeResource only requires resources narrower than "*", for actions
	// whose risk is limited to the resources named.
	ScopeResource = "resource"
)

// Escalation declares escalation-sensitive actions and their scope.
type Escalation struct {
	Actions []string `yaml:"actions"`
	Scope   string   `yaml:"scope"`
	Reason  string   `yaml:"reason"`
}

// RoleTemplate is an extra role a profile renders, one per region.
type RoleTemplate struct {
	// Key names the role in calls' caller fields, such as "deploy-role".
	Key        string      `yaml:"key"`
	Name       string      `yaml:"name"`
	Trust      Trust       `yaml:"trust"`
	Statements []Statement `yaml:"statements"`
	// ManagedPolicies are ARN templates of AWS managed policies to attach.
	ManagedPolicies []string `yaml:"managedPolicies"`
}

// Trust lists who may assume a rendered role.
type Trust struct {
	Services []string `yaml:"services"`
	Accounts []string `yaml:"accounts"`
}

// Command is one framework command and the calls it makes.
type Command struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Calls       []CallTemplate `yaml:"calls"`
}

// CallTemplate is one API call a command makes, with templated resource and
// request context.
type CallTemplate struct {
	Action   string `yaml:"action"`
	Resource string `yaml:"resource"`
	// Caller is CallerCLI (the default), CallerCloudFormation, or the key of
	// one of the profile's roles.
	Caller  string              `yaml:"caller"`
	Context map[string][]string `yaml:"context"`
}

// callerOf returns a statement's or call's caller with the default applied.
func callerOf(s string) string {
	if s == "" {
		return CallerCLI
	}
	return s
}
