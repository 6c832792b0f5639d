package library

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// outsideCalls returns calls outside the application's resources for the
// target's first region; every one must be denied to every rendered role.
func outsideCalls(region string) []Call {
	acct := testAccount
	stack := func(name string) string {
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/0a1b2c3d-0000-0000-0000-000000000000", region, acct, name)
	}
	function := func(name string) string {
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, name)
	}
	role := func(name string) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, name) }
	boundary := map[string][]string{"iam:PermissionsBoundary": {"arn:aws:iam::" + acct + ":policy/orgstrap-boundary"}}
	return []Call{
		{Action: "cloudformation:UpdateStack", Resource: stack("billing-prod")},
		{Action: "cloudformation:DeleteStack", Resource: stack("orders-dev")},
		{Action: "cloudformation:CreateChangeSet", Resource: stack("billing-prod")},
		{Action: "cloudformation:ExecuteChangeSet", Resource: stack("billing-prod")},
		{Action: "cloudformation:CreateStackSet", Resource: "*"},
		{Action: "lambda:UpdateFunctionCode", Resource: function("billing-prod-charge")},
		{Action: "lambda:InvokeFunction", Resource: function("billing-prod-charge")},
		{Action: "lambda:CreateFunction", Resource: function("admin-tool")},
		{Action: "iam:CreateRole", Resource: role("billing-prod-worker"), Context: boundary},
		{Action: "iam:CreateRole", Resource: role("orders-prod-worker")},
		{Action: "iam:PutRolePolicy", Resource: role("OrganizationAccountAccessRole"), Context: boundary},
		{Action: "iam:AttachRolePolicy", Resource: role("orders-prod-worker")},
		{Action: "iam:PassRole", Resource: role("Admin"), Context: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}},
		{Action: "iam:PassRole", Resource: role("orders-prod-worker"), Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}},
		{Action: "iam:DeleteRolePermissionsBoundary", Resource: role("orders-prod-worker")},
		{Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::" + acct + ":policy/orgstrap-boundary"},
		{Action: "iam:CreateUser", Resource: "arn:aws:iam::" + acct + ":user/intruder"},
		{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::" + acct + ":user/admin"},
		{Action: "iam:AttachUserPolicy", Resource: "arn:aws:iam::" + acct + ":user/admin"},
		{Action: "iam:CreateLoginProfile", Resource: "arn:aws:iam::" + acct + ":user/admin"},
		{Action: "organizations:CreateAccount", Resource: "*"},
		{Action: "organizations:LeaveOrganization", Resource: "*"},
		{Action: "account:PutAlternateContact", Resource: "*"},
		{Action: "sts:AssumeRole", Resource: role("OrganizationAccountAccessRole")},
		{Action: "sts:AssumeRole", Resource: role("admin")},
		{Action: "sts:AssumeRole", Resource: fmt.Sprintf("arn:aws:iam::%s:role/cdk-otherqual-deploy-role-%s-%s", acct, acct, region)},
		{Action: "sts:AssumeRole", Resource: fmt.Sprintf("arn:aws:iam::999999999999:role/cdk-hnb659fds-deploy-role-999999999999-%s", region)},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::orders-prod-serverlessdeploymentbucket-1a2b/serverless/billing/prod/x.zip"},
		{Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::billing-prod-serverlessdeploymentbucket-1a2b"},
		{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::legacy-prod-serverlessdeploymentbucket-1a2b"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::billing-prod-serverlessdeploymentbucket-1a2b/serverless/billing/prod/x.zip"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::company-secrets/keys.txt"},
		{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::company-secrets"},
		{Action: "ssm:PutParameter", Resource: fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/prod/database/password", region, acct)},
	}
}

// roleNames lists every role a rendering holds, "" being the deploy role.
func roleNames(r *Rendered) []string {
	names := []string{""}
	if r.ExecutionRole != nil {
		names = append(names, r.ExecutionRole.Name)
	}
	for _, role := range r.Roles {
		names = append(names, role.Name)
	}
	return names
}

func TestOutsideCallsDenied(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		for _, serviceRole := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/serviceRole=%v", name, serviceRole), func(t *testing.T) {
				target := testTarget(name, AccessRestricted, serviceRole)
				r := render(t, l, target)
				for _, role := range roleNames(r) {
					calls := outsideCalls(target.Regions[0])
					for i := range calls {
						calls[i].Role = role
					}
					assertDenied(t, r, calls)
				}
			})
		}
	}
}

func TestBroadDeniesOutsideDeployment(t *testing.T) {
	l := loadLibrary(t)
	var calls []Call
	for _, c := range outsideCalls("us-east-1") {
		switch {
		case strings.HasPrefix(c.Action, "organizations:"), strings.HasPrefix(c.Action, "account:"),
			c.Action == "iam:CreateUser", c.Action == "iam:CreateAccessKey", c.Action == "iam:AttachUserPolicy",
			c.Action == "iam:CreateLoginProfile", c.Action == "cloudformation:CreateStackSet",
			c.Action == "iam:DeleteRolePermissionsBoundary", c.Action == "iam:CreatePolicyVersion",
			c.Action == "iam:CreateRole" && c.Context == nil,
			c.Action == "sts:AssumeRole" && !strings.Contains(c.Resource, ":role/cdk-"):
			calls = append(calls, c)
		}
	}
	if len(calls) < 10 {
		t.Fatalf("only %d calls selected", len(calls))
	}
	for _, name := range l.Names() {
		t.Run(name, func(t *testing.T) {
			r := render(t, l, testTarget(name, AccessBroad, false))
			role := func(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }
			lambda := map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}
			administrative := []Call{
				{Action: "iam:PassRole", Resource: role("OrganizationAccountAccessRole"), Context: lambda},
				{Action: "iam:DeleteRole", Resource: role("OrganizationAccountAccessRole")},
				{Action: "iam:PassRole", Resource: role(DefaultPolicyPrefix), Context: lambda},
				{Action: "iam:TagRole", Resource: role(DefaultPolicyPrefix + "-g2")},
			}
			assertDenied(t, r, append(slices.Clone(calls), administrative...))
		})
	}
}

func assertDenied(t *testing.T, r *Rendered, calls []Call) {
	t.Helper()
	results, err := r.Check(calls)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		if res.Evaluation.Decision == policy.Allow {
			t.Errorf("role %q: %s on %s (context %v): %s, want denied",
				res.Call.Role, res.Call.Action, res.Call.Resource, res.Call.Context, res.Evaluation.Reason)
		}
	}
}

// TestBoundaryCapsApplicationRoles evaluates calls of a role created by the
// deployer whose own policy allows everything, so only the boundary decides.
func TestBoundaryCapsApplicationRoles(t *testing.T) {
	l := loadLibrary(t)
	r := render(t, l, testTarget("serverless-framework", AccessRestricted, false))
	if r.Boundary == nil {
		t.Fatal("Boundary is nil")
	}
	admin := []policy.NamedPolicy{{Name: "app-admin", Document: &policy.Document{
		Version:   policy.Version2012,
		Statement: []policy.Statement{{Effect: "Allow", Action: policy.Values{"*"}, Resource: policy.Values{"*"}}},
	}}}
	boundaryARN := "arn:aws:iam::" + testAccount + ":policy/orgstrap-boundary"
	tests := []struct {
		name    string
		req     policy.Request
		allowed bool
	}{
		{"table read", policy.Request{Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:" + testAccount + ":table/orders"}, true},
		{"log write", policy.Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:" + testAccount + ":log-group:/aws/lambda/orders-prod-x:*"}, true},
		{"role without boundary", policy.Request{Action: "iam:CreateRole", Resource: "arn:aws:iam::" + testAccount + ":role/orders-prod-x"}, false},
		{"role with other boundary", policy.Request{Action: "iam:CreateRole", Resource: "arn:aws:iam::" + testAccount + ":role/orders-prod-x",
			Context: map[string][]string{"iam:PermissionsBoundary": {"arn:aws:iam::" + testAccount + ":policy/open"}}}, false},
		{"user", policy.Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::" + testAccount + ":user/x",
			Context: map[string][]string{"iam:PermissionsBoundary": {boundaryARN}}}, false},
		{"boundary edit", policy.Request{Action: "iam:CreatePolicyVersion", Resource: boundaryARN}, false},
		{"boundary delete", policy.Request{Action: "iam:DeletePolicy", Resource: boundaryARN}, false},
		{"boundary removal", policy.Request{Action: "iam:DeleteRolePermissionsBoundary", Resource: "arn:aws:iam::" + testAccount + ":role/orders-prod-x"}, false},
		{"access key", policy.Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::" + testAccount + ":user/admin"}, false},
		{"organization", policy.Request{Action: "organizations:CreateAccount", Resource: "*"}, false},
		{"pass admin role", policy.Request{Action: "iam:PassRole", Resource: "arn:aws:iam::" + testAccount + ":role/Admin",
			Context: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := policy.Evaluate(tt.req, admin, r.Boundary)
			if (got.Decision == policy.Allow) != tt.allowed {
				t.Errorf("Evaluate(%s on %s) = %s (%s), want allowed=%v", tt.req.Action, tt.req.Resource, got.Decision, got.Reason, tt.allowed)
			}
		})
	}
}
