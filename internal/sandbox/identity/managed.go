package identity

import (
	"strings"
	"time"
)

// awsManagedDocuments are AWS managed policies that accounts can attach,
// keyed by path and name. The documents are AWS's current default versions,
// except ReadOnlyAccess.
var awsManagedDocuments = map[string]string{
	"/AdministratorAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"/PowerUserAccess": `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
		`{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles",` +
		`"organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}`,
	"/IAMFullAccess": `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization",` +
		`"organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren",` +
		`"organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots",` +
		`"organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`,
	"/IAMReadOnlyAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` +
		`"iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*",` +
		`"iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`,
	// NOTE: AWS's ReadOnlyAccess lists the read actions of every service one
	// by one. This shorter document grants the Get, List and Describe
	// families by wildcard, so it allows a few read actions that AWS's
	// version does not name.
	"/ReadOnlyAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` +
		`"*:Describe*","*:Get*","*:List*","sts:GetCallerIdentity"],"Resource":"*"}]}`,
}

// awsManagedPolicies builds the AWS managed policies of a partition. Their
// documents are in effect from the zero time, so the consistency delay never
// hides them.
func awsManagedPolicies(partition string) map[string]*managedPolicy {
	// AWS created AdministratorAccess on 2015-02-06; the sandbox uses that
	// date for every AWS managed policy.
	created := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)
	out := map[string]*managedPolicy{}
	for pathName, doc := range awsManagedDocuments {
		i := strings.LastIndex(pathName, "/")
		mp := &managedPolicy{
			Name:       pathName[i+1:],
			Path:       pathName[:i+1],
			ID:         stableID("ANPA", pathName),
			ARN:        "arn:" + partition + ":iam::aws:policy" + pathName,
			Created:    created,
			Updated:    created,
			Versions:   []policyVersion{{ID: "v1", Document: doc, Created: created}},
			Default:    []stamped[string]{{Value: "v1"}},
			AWSManaged: true,
		}
		out[mp.ARN] = mp
	}
	return out
}
