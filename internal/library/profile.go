// Package library holds the deployment profiles, which record what each
// framework calls and on which resources, and derives deploy-role policies
// from them. Broad access is service-wide, for development accounts.
// Restricted access is scoped to the applications' own resources, for
// production, and a permissions boundary caps the roles the deployer creates.
package library

// Profile is one framework's permission profile, loaded from YAML.
type Profile struct {
	Name        string     `yaml:"name" json:"name,omitempty"`
	Description string     `yaml:"description" json:"description,omitempty"`
	Variables   []Variable `yaml:"variables" json:"variables,omitempty"`
	// Statements are the restricted grants. Resource and condition values
	// are templates (see Target for the variables).
	Statements []Statement `yaml:"statements" json:"statements,omitempty"`
	Broad      Broad       `yaml:"broad" json:"broad,omitempty"`
	Boundary   Boundary    `yaml:"boundary" json:"boundary,omitempty"`
	// Escalation declares every privilege-escalation action the profile
	// grants and how each is scoped; validation checks the statements
	// against it.
	Escalation []Escalation `yaml:"escalation" json:"escalation,omitempty"`
	// Roles are further roles the profile renders, such as the AWS CDK
	// bootstrap roles.
	Roles    []RoleTemplate `yaml:"roles" json:"roles,omitempty"`
	Commands []Command      `yaml:"commands" json:"commands,omitempty"`

	// File is the file the profile came from, for messages.
	File string `yaml:"-" json:"file"`
}

// Variable is a profile variable with its default, such as the CDK
// bootstrap qualifier.
type Variable struct {
	Name        string `yaml:"name" json:"name,omitempty"`
	Default     string `yaml:"default" json:"default,omitempty"`
	Description string `yaml:"description" json:"description,omitempty"`
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
	Sid string `yaml:"sid" json:"sid,omitempty"`
	// Effect is "Allow" (the default) or "Deny".
	Effect string `yaml:"effect" json:"effect,omitempty"`
	// Caller is CallerCLI (the default), CallerCloudFormation or CallerBoth.
	Caller     string                         `yaml:"caller" json:"caller,omitempty"`
	Actions    []string                       `yaml:"actions" json:"actions,omitempty"`
	Resources  []string                       `yaml:"resources" json:"resources,omitempty"`
	Conditions map[string]map[string][]string `yaml:"conditions" json:"conditions,omitempty"`
}

// Broad is a profile's definition of service-wide development access.
type Broad struct {
	// Actions are allowed on "*". Escalation-sensitive actions may not be
	// among them.
	Actions []string `yaml:"actions" json:"actions,omitempty"`
	// Statements are scoped grants that broad access needs besides, such as
	// role management under the permissions boundary.
	Statements []Statement `yaml:"statements" json:"statements,omitempty"`
}

// Boundary describes the permissions boundary of the roles the deployer
// creates.
type Boundary struct {
	// Allow lists what application roles may do, on "*".
	Allow []string `yaml:"allow" json:"allow,omitempty"`
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
	Actions []string `yaml:"actions" json:"actions,omitempty"`
	Scope   string   `yaml:"scope" json:"scope,omitempty"`
	Reason  string   `yaml:"reason" json:"reason,omitempty"`
}

// RoleTemplate is an extra role a profile renders, one per region.
type RoleTemplate struct {
	// Key names the role in calls' caller fields, such as "deploy-role".
	Key        string      `yaml:"key" json:"key,omitempty"`
	Name       string      `yaml:"name" json:"name,omitempty"`
	Trust      Trust       `yaml:"trust" json:"trust,omitempty"`
	Statements []Statement `yaml:"statements" json:"statements,omitempty"`
	// ManagedPolicies are ARN templates of AWS managed policies to attach.
	ManagedPolicies []string `yaml:"managedPolicies" json:"managedPolicies,omitempty"`
}

// Trust lists who may assume a rendered role.
type Trust struct {
	Services []string `yaml:"services" json:"services,omitempty"`
	Accounts []string `yaml:"accounts" json:"accounts,omitempty"`
}

// Command is one framework command and the calls it makes.
type Command struct {
	Name        string         `yaml:"name" json:"name,omitempty"`
	Description string         `yaml:"description" json:"description,omitempty"`
	Calls       []CallTemplate `yaml:"calls" json:"calls,omitempty"`
}

// CallTemplate is one API call a command makes, with templated resource and
// request context.
type CallTemplate struct {
	Action   string `yaml:"action" json:"action,omitempty"`
	Resource string `yaml:"resource" json:"resource,omitempty"`
	// Caller is CallerCLI (the default), CallerCloudFormation, or the key of
	// one of the profile's roles.
	Caller  string              `yaml:"caller" json:"caller,omitempty"`
	Context map[string][]string `yaml:"context" json:"context,omitempty"`
}

// callerOf returns a statement's or call's caller with the default applied.
func callerOf(s string) string {
	if s == "" {
		return CallerCLI
	}
	return s
}
