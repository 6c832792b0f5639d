package identity

// iamHandlers maps IAM Query actions to their handlers.
var iamHandlers = map[string]handler{
	"CreateRole":                    iamCreateRole,
	"GetRole":                       iamGetRole,
	"DeleteRole":                    iamDeleteRole,
	"ListRoles":                     iamListRoles,
	"UpdateAssumeRolePolicy":        iamUpdateAssumeRolePolicy,
	"UpdateRole":                    iamUpdateRole,
	"TagRole":                       iamTagRole,
	"UntagRole":                     iamUntagRole,
	"ListRoleTags":                  iamListRoleTags,
	"PutRolePolicy":                 iamPutRolePolicy,
	"GetRolePolicy":                 iamGetRolePolicy,
	"DeleteRolePolicy":              iamDeleteRolePolicy,
	"ListRolePolicies":              iamListRolePolicies,
	"AttachRolePolicy":              iamAttachRolePolicy,
	"DetachRolePolicy":              iamDetachRolePolicy,
	"ListAttachedRolePolicies":      iamListAttachedRolePolicies,
	"PutRolePermissionsBoundary":    iamPutRolePermissionsBoundary,
	"DeleteRolePermissionsBoundary": iamDeleteRolePermissionsBoundary,

	"CreatePolicy":            iamCreatePolicy,
	"GetPolicy":               iamGetPolicy,
	"DeletePolicy":            iamDeletePolicy,
	"ListPolicies":            iamListPolicies,
	"TagPolicy":               iamTagPolicy,
	"UntagPolicy":             iamUntagPolicy,
	"ListPolicyTags":          iamListPolicyTags,
	"CreatePolicyVersion":     iamCreatePolicyVersion,
	"GetPolicyVersion":        iamGetPolicyVersion,
	"ListPolicyVersions":      iamListPolicyVersions,
	"DeletePolicyVersion":     iamDeletePolicyVersion,
	"SetDefaultPolicyVersion": iamSetDefaultPolicyVersion,

	"CreateOpenIDConnectProvider":             iamCreateOpenIDConnectProvider,
	"GetOpenIDConnectProvider":                iamGetOpenIDConnectProvider,
	"ListOpenIDConnectProviders":              iamListOpenIDConnectProviders,
	"DeleteOpenIDConnectProvider":             iamDeleteOpenIDConnectProvider,
	"AddClientIDToOpenIDConnectProvider":      iamAddClientIDToOpenIDConnectProvider,
	"RemoveClientIDFromOpenIDConnectProvider": iamRemoveClientIDFromOpenIDConnectProvider,
	"UpdateOpenIDConnectProviderThumbprint":   iamUpdateOpenIDConnectProviderThumbprint,
	"TagOpenIDConnectProvider":                iamTagOpenIDConnectProvider,
	"UntagOpenIDConnectProvider":              iamUntagOpenIDConnectProvider,
	"ListOpenIDConnectProviderTags":           iamListOpenIDConnectProviderTags,

	"GetAccountAuthorizationDetails": iamGetAccountAuthorizationDetails,

	"SimulatePrincipalPolicy": iamSimulatePrincipalPolicy,
	"SimulateCustomPolicy":    iamSimulateCustomPolicy,

	"CreateUser":       iamCreateUser,
	"GetUser":          iamGetUser,
	"ListUsers":        iamListUsers,
	"CreateAccessKey":  iamCreateAccessKey,
	"PutUserPolicy":    iamPutUserPolicy,
	"AttachUserPolicy": iamAttachUserPolicy,
	"DetachUserPolicy": iamDetachUserPolicy,
}

// stsHandlers maps STS Query actions to their handlers.
var stsHandlers = map[string]handler{
	"GetCallerIdentity":         stsGetCallerIdentity,
	"AssumeRole":                stsAssumeRole,
	"AssumeRoleWithWebIdentity": stsAssumeRoleWithWebIdentity,
}
