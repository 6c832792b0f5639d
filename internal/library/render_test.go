package library

import (
	"fmt"
	"testing"

	"github.com/orgstrap/orgstrap/internal/policy"
)

const testAccount = "123456789012"

func loadLibrary(t *testing.T) *Library {
	t.Helper()
	l, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return l
}

func testTarget(profile string, access Access, serviceRole bool) Target {
	return Target{
		AccountID:   testAccount,
		Regions:     []string{"eu-west-1", "us-east-1"},
		Services:    []string{"orders", "users"},
		Stage:       "prod",
		Profiles:    []string{profile},
		Access:      access,
		ServiceRole: serviceRole,
	}
}

func render(t *testing.T, l *Library, target Target) *Rendered {
	t.Helper()
	r, err := l.Render(target)
	if err != nil {
		t.Fatalf("Render(%+v): %v", target, err)
	}
	return r
}

// TestRequiredCallsAllowed checks every profile's own calls against its
// rendered policies, in every access level and mode.
func TestRequiredCallsAllowed(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		for _, mode := range []struct {
			access      Access
			serviceRole bool
		}{{AccessRestricted, false}, {AccessRestricted, true}, {AccessBroad, false}} {
			t.Run(fmt.Sprintf("%s/%s/serviceRole=%v", name, mode.access, mode.serviceRole), func(t *testing.T) {
				r := render(t, l, testTarget(name, mode.access, mode.serviceRole))
				if len(r.RequiredCalls) == 0 {
					t.Fatal("no required calls")
				}
				results, err := r.Check(r.RequiredCalls)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range Denied(results) {
					t.Errorf("%s %s: %s on %s (role %q, context %v): %s", d.Call.Profile, d.Call.Command,
						d.Call.Action, d.Call.Resource, d.Call.Role, d.Call.Context, d.Evaluation.Reason)
				}
			})
		}
	}
}

func TestPoliciesFitIAMLimits(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		r := render(t, l, testTarget(name, AccessRestricted, false))
		docs := append([]policy.NamedPolicy{}, r.Policies...)
		if r.Boundary != nil {
			docs = append(docs, *r.Boundary)
		}
		for _, p := range docs {
			if size := policy.Size(p.Document); size > MaxPolicySize {
				t.Errorf("%s: policy %s has %d characters, limit %d", name, p.Name, size, MaxPolicySize)
			}
			if err := policy.Validate(p.Document, policy.KindIdentity); err != nil {
				t.Errorf("%s: policy %s is invalid: %v", name, p.Name, err)
			}
		}
	}
}

func TestServiceRoleMovesResourcePermissions(t *testing.T) {
	l := loadLibrary(t)
	r := render(t, l, testTarget("serverless-framework", AccessRestricted, true))
	if r.ExecutionRole == nil {
		t.Fatal("ExecutionRole is nil in service-role mode")
	}
	execARN := "arn:aws:iam::" + testAccount + ":role/orgstrap-deploy-cfn-exec"
	stack := "arn:aws:cloudformation:us-east-1:" + testAccount + ":stack/orders-prod/0a1b2c3d-0000-0000-0000-000000000000"
	function := "arn:aws:lambda:us-east-1:" + testAccount + ":function:orders-prod-hello"
	withRole := map[string][]string{"cloudformation:RoleArn": {execARN}}
	tests := []struct {
		name    string
		call    Call
		allowed bool
	}{
		{"deploy role creates stack with role", Call{Action: "cloudformation:CreateStack", Resource: stack, Context: withRole}, true},
		{"deploy role creates stack without role", Call{Action: "cloudformation:CreateStack", Resource: stack}, false},
		{"deploy role creates change set with other role", Call{Action: "cloudformation:CreateChangeSet", Resource: stack,
			Context: map[string][]string{"cloudformation:RoleArn": {"arn:aws:iam::" + testAccount + ":role/Admin"}}}, false},
		{"deploy role passes execution role", Call{Action: "iam:PassRole", Resource: execARN,
			Context: map[string][]string{"iam:PassedToService": {"cloudformation.amazonaws.com"}}}, true},
		{"deploy role passes execution role to lambda", Call{Action: "iam:PassRole", Resource: execARN,
			Context: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}}, false},
		{"deploy role creates function", Call{Action: "lambda:CreateFunction", Resource: function}, false},
		{"deploy role creates role", Call{Action: "iam:CreateRole", Resource: "arn:aws:iam::" + testAccount + ":role/orders-prod-x",
			Context: map[string][]string{"iam:PermissionsBoundary": {"arn:aws:iam::" + testAccount + ":policy/orgstrap-boundary"}}}, false},
		{"execution role creates function", Call{Role: "orgstrap-deploy-cfn-exec", Action: "lambda:CreateFunction", Resource: function}, true},
		{"execution role creates stack", Call{Role: "orgstrap-deploy-cfn-exec", Action: "cloudformation:CreateStack", Resource: stack}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := r.Check([]Call{tt.call})
			if err != nil {
				t.Fatal(err)
			}
			if got := results[0].Evaluation; (got.Decision == policy.Allow) != tt.allowed {
				t.Errorf("%s on %s = %s (%s), want allowed=%v", tt.call.Action, tt.call.Resource, got.Decision, got.Reason, tt.allowed)
			}
		})
	}
	trust := r.ExecutionRole.Trust.Statement
	if len(trust) != 1 || len(trust[0].Principal.Service) != 1 || trust[0].Principal.Service[0] != "cloudformation.amazonaws.com" {
		t.Errorf("execution role trust = %+v, want cloudformation.amazonaws.com only", trust)
	}
}

func TestRenderedDocumentsValid(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		r := render(t, l, testTarget(name, AccessRestricted, true))
		roles := append([]ExecutionRole{}, r.Roles...)
		if r.ExecutionRole != nil {
			roles = append(roles, *r.ExecutionRole)
		}
		for _, role := range roles {
			if err := policy.Validate(role.Trust, policy.KindTrust); err != nil {
				t.Errorf("%s: role %s trust policy is invalid: %v", name, role.Name, err)
			}
			if len(role.Name) > 64 {
				t.Errorf("%s: role name %s has %d characters, IAM allows 64", name, role.Name, len(role.Name))
			}
			for _, p := range role.Policies {
				if err := policy.Validate(p.Document, policy.KindIdentity); err != nil {
					t.Errorf("%s: role %s policy %s is invalid: %v", name, role.Name, p.Name, err)
				}
				if size := policy.Size(p.Document); size > MaxPolicySize {
					t.Errorf("%s: policy %s has %d characters, limit %d", name, p.Name, size, MaxPolicySize)
				}
			}
		}
		if r.Boundary != nil {
			if err := policy.Validate(r.Boundary.Document, policy.KindBoundary); err != nil {
				t.Errorf("%s: boundary is invalid: %v", name, err)
			}
		}
	}
}

func TestAllProfilesCombined(t *testing.T) {
	l := loadLibrary(t)
	for _, serviceRole := range []bool{false, true} {
		t.Run(fmt.Sprintf("serviceRole=%v", serviceRole), func(t *testing.T) {
			target := testTarget("aws-cdk", AccessRestricted, serviceRole)
			target.Profiles = l.Names()
			r := render(t, l, target)
			results, err := r.Check(r.RequiredCalls)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range Denied(results) {
				t.Errorf("%s %s: %s on %s (role %q): %s", d.Call.Profile, d.Call.Command, d.Call.Action, d.Call.Resource, d.Call.Role, d.Evaluation.Reason)
			}
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
