package library

import "strings"

// scopeNever marks escalation actions that no profile may grant at all.
const scopeNever = "never"

// escalationScopes maps each privilege-escalation action (lower case) to the
// scope a profile must give it. The list follows Rhino Security Labs'
// catalogue of AWS IAM escalation paths: modifying one's own or another
// principal's permissions, minting other principals' credentials, and
// passing a role to a service that then runs code as that role.
var escalationScopes = map[string]string{
	// Role management: allowed only on the application's roles and only
	// when the role carries the permissions boundary.
	"iam:createrole":                 ScopeBoundary,
	"iam:putrolepolicy":              ScopeBoundary,
	"iam:attachrolepolicy":           ScopeBoundary,
	"iam:detachrolepolicy":           ScopeBoundary,
	"iam:deleterolepolicy":           ScopeBoundary,
	"iam:putrolepermissionsboundary": ScopeBoundary,
	"iam:updateassumerolepolicy":     ScopeBoundary,
	"iam:passrole":                   ScopePassedToService,

	// Running or replacing code: limited to the application's own resources.
	"lambda:createfunction":              ScopeResource,
	"lambda:updatefunctioncode":          ScopeResource,
	"lambda:updatefunctionconfiguration": ScopeResource,
	"lambda:addpermission":               ScopeResource,
	"lambda:createeventsourcemapping":    ScopeResource,
	"lambda:invokefunction":              ScopeResource,
	"cloudformation:createstack":         ScopeResource,
	"cloudformation:updatestack":         ScopeResource,
	"cloudformation:createchangeset":     ScopeResource,
	"cloudformation:executechangeset":    ScopeResource,
	"sts:assumerole":                     ScopeResource,

	// Never granted to a deploy role.
	"iam:createpolicyversion":             scopeNever,
	"iam:setdefaultpolicyversion":         scopeNever,
	"iam:attachuserpolicy":                scopeNever,
	"iam:attachgrouppolicy":               scopeNever,
	"iam:putuserpolicy":                   scopeNever,
	"iam:putgrouppolicy":                  scopeNever,
	"iam:addusertogroup":                  scopeNever,
	"iam:createuser":                      scopeNever,
	"iam:createaccesskey":                 scopeNever,
	"iam:updateaccesskey":                 scopeNever,
	"iam:createloginprofile":              scopeNever,
	"iam:updateloginprofile":              scopeNever,
	"iam:putuserpermissionsboundary":      scopeNever,
	"iam:deleterolepermissionsboundary":   scopeNever,
	"iam:deleteuserpermissionsboundary":   scopeNever,
	"cloudformation:createstackset":       scopeNever,
	"cloudformation:createstackinstances": scopeNever,
}

// forbiddenServices are services whose actions no profile may grant: a deploy
// role has no business with the organization or the account's settings.
var forbiddenServices = map[string]bool{"organizations": true, "account": true}

// escalationScope returns the scope required for action, or "" when the
// action is not escalation-sensitive.
func escalationScope(action string) string {
	return escalationScopes[strings.ToLower(action)]
}

// boundaryDeniedActions are denied by the boundary unless the request sets
// the boundary itself as the new principal's permissions boundary.
var boundaryDeniedActions = []string{
	"iam:CreateRole",
	"iam:CreateUser",
	"iam:PutRolePermissionsBoundary",
	"iam:PutUserPermissionsBoundary",
}

// boundaryProtectActions would change or remove the boundary policy itself.
var boundaryProtectActions = []string{
	"iam:CreatePolicyVersion",
	"iam:DeletePolicy",
	"iam:DeletePolicyVersion",
	"iam:SetDefaultPolicyVersion",
}

// boundaryRemoveActions would strip a boundary from a role or user.
var boundaryRemoveActions = []string{
	"iam:DeleteRolePermissionsBoundary",
	"iam:DeleteUserPermissionsBoundary",
}
