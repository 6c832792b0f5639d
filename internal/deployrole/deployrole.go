// Package deployrole installs and checks the deployment roles in a member
// account: the roles, their trust policies, the customer managed policies
// and permissions boundary they use, the GitHub OIDC provider, and their
// verification with iam:SimulatePrincipalPolicy.
package deployrole

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Tags orgstrap puts on the roles and policies it manages.
const (
	TagManaged     = "orgstrap:managed"
	TagEnvironment = "orgstrap:environment"
	// TagDigest contains the digest of the policy inputs the role was last
	// fully configured with. It is written last, so a role whose digest
	// differs from the expected one is either out of date or half configured.
	TagDigest = "orgstrap:digest"
	// TagVersions records the default version id of the role's managed
	// policies as "NAME=ID" pairs separated by spaces, written with the
	// digest. The deploy role also lists the policies no role has
	// attached, such as a broad environment's boundary. Read gets every
	// document from GetAccountAuthorizationDetails and ignores the tag,
	// but apply keeps it current because earlier orgstrap versions skip
	// reading a policy whose default version matches it.
	TagVersions = "orgstrap:policy-versions"
)

// maxTagValue is IAM's limit on a tag value's length; a longer versions
// list is recorded as empty, which only costs reads.
const maxTagValue = 256

// PolicyPath is the IAM path of the managed policies orgstrap creates. It
// is the root path because the rendered documents name the boundary as
// arn:PARTITION:iam::ACCOUNT:policy/NAME, without a path.
const PolicyPath = "/"

// GitHubOIDCHost is the issuer host of GitHub Actions' OIDC tokens.
const GitHubOIDCHost = "token.actions.githubusercontent.com"

type iamAPI interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, optFns ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateRole(ctx context.Context, in *iam.UpdateRoleInput, optFns ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	PutRolePermissionsBoundary(ctx context.Context, in *iam.PutRolePermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error)
	DeleteRolePermissionsBoundary(ctx context.Context, in *iam.DeleteRolePermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePermissionsBoundaryOutput, error)
	TagRole(ctx context.Context, in *iam.TagRoleInput, optFns ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	ListPolicyVersions(ctx context.Context, in *iam.ListPolicyVersionsInput, optFns ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error)
	CreatePolicy(ctx context.Context, in *iam.CreatePolicyInput, optFns ...func(*iam.Options)) (*iam.CreatePolicyOutput, error)
	CreatePolicyVersion(ctx context.Context, in *iam.CreatePolicyVersionInput, optFns ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error)
	DeletePolicyVersion(ctx context.Context, in *iam.DeletePolicyVersionInput, optFns ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error)
	DeletePolicy(ctx context.Context, in *iam.DeletePolicyInput, optFns ...func(*iam.Options)) (*iam.DeletePolicyOutput, error)
	GetOpenIDConnectProvider(ctx context.Context, in *iam.GetOpenIDConnectProviderInput, optFns ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error)
	CreateOpenIDConnectProvider(ctx context.Context, in *iam.CreateOpenIDConnectProviderInput, optFns ...func(*iam.Options)) (*iam.CreateOpenIDConnectProviderOutput, error)
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}

var _ iamAPI = (*iam.Client)(nil)

// Desired is the content one member account should have.
type Desired struct {
	AccountID   string
	Partition   string // "aws" when empty
	Environment string
	Roles       []RoleSpec
	// Policies are every customer managed policy orgstrap owns in the
	// account, boundaries included.
	Policies []Policy
	// OwnedPrefixes are the name prefixes of orgstrap's managed policies:
	// a policy whose name starts with one of them and that Policies does
	// not list is detached and deleted.
	// NOTE: ownership goes by name because GetAccountAuthorizationDetails
	// and ListPolicies return no policy tags.
	OwnedPrefixes []string
	// GitHubOIDC requires the GitHub Actions OIDC provider in the account.
	GitHubOIDC bool
	// Digest identifies the policy inputs; it is written to TagDigest.
	Digest string
	// Retire names roles of Observed.Others to delete once the deploy
	// role verifies, such as the old role after a change of
	// deployment.role_name. Steps leaves the policies they use to
	// RetireSteps.
	Retire []string
}

// RoleSpec is one role to install.
type RoleSpec struct {
	Name               string
	Trust              *policy.Document
	MaxSessionDuration time.Duration
	// Policies names the managed policies to attach (from Desired.Policies).
	Policies []string
	// AWSManaged are ARNs of AWS managed policies to attach as well.
	AWSManaged []string
	// Boundary names the permissions boundary policy, "" for none.
	Boundary string
}

// Policy is a customer managed policy.
type Policy struct {
	Name     string
	Document *policy.Document
	// Boundary marks a permissions boundary, which plans show as such.
	Boundary bool
}

// Observed is the account's current content.
type Observed struct {
	Roles map[string]*Role // by name; missing roles are absent
	// Policies are orgstrap's managed policies (by OwnedPrefixes), by name.
	Policies     map[string]*ManagedPolicy
	OIDCProvider bool
	// Others are the roles tagged orgstrap:managed=true and
	// orgstrap:environment for this environment that Desired.Roles does
	// not name, by name.
	Others map[string]*Role
	// OtherPolicies are the customer managed policies that a role in
	// Others attaches or records in TagVersions and that OwnedPrefixes do
	// not cover, by name.
	OtherPolicies map[string]*ManagedPolicy
}

// Role is an existing role.
type Role struct {
	Name               string
	ARN                string
	Trust              *policy.Document
	MaxSessionDuration time.Duration
	BoundaryARN        string
	Tags               map[string]string
	Created            time.Time
	Attached           []string // ARNs of attached managed policies
	// Inline are the names of the role's inline policies; orgstrap uses
	// none, so any is drift.
	Inline []string
	// RevokedBefore is the cutoff of the role's session revocation policy,
	// which Inline leaves out; it is zero when there is none.
	RevokedBefore time.Time
}

// ManagedPolicy is an existing customer managed policy.
type ManagedPolicy struct {
	Name             string
	ARN              string
	DefaultVersionID string
	Document         *policy.Document
	// AttachmentCount counts every attachment, including those outside
	// orgstrap's roles.
	AttachmentCount int
}

// Client manages the deployment roles of one member account.
type Client struct {
	api iamAPI
}

// New returns a Client over an IAM client configured for the account.
func New(api iamAPI) *Client { return &Client{api: api} }

func (d *Desired) partition() string {
	if d.Partition == "" {
		return "aws"
	}
	return d.Partition
}

// PolicyARN returns the ARN of the managed policy called name.
func (d *Desired) PolicyARN(name string) string {
	return "arn:" + d.partition() + ":iam::" + d.AccountID + ":policy" + PolicyPath + name
}

// RoleARN returns the ARN of the role called name.
func (d *Desired) RoleARN(name string) string {
	return "arn:" + d.partition() + ":iam::" + d.AccountID + ":role/" + name
}

// OIDCProviderARN returns the ARN of the GitHub Actions OIDC provider.
func (d *Desired) OIDCProviderARN() string {
	return "arn:" + d.partition() + ":iam::" + d.AccountID + ":oidc-provider/" + GitHubOIDCHost
}

func (d *Desired) policy(name string) *Policy {
	for i := range d.Policies {
		if d.Policies[i].Name == name {
			return &d.Policies[i]
		}
	}
	return nil
}

// owns reports whether a managed policy name is orgstrap's.
func (d *Desired) owns(name string) bool {
	for _, prefix := range d.OwnedPrefixes {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return d.policy(name) != nil
}
