package identity

import (
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// restrictedSession creates role name in the management account with the
// given inline policy and returns a session of it.
func (f *fixture) restrictedSession(name, inline string, extra ...string) *api.Caller {
	f.t.Helper()
	f.iam(f.admin, "CreateRole", append([]string{"RoleName", name, "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, extra...)...)
	if inline != "" {
		f.iam(f.admin, "PutRolePolicy", "RoleName", name, "PolicyName", "inline", "PolicyDocument", inline)
	}
	sc, _ := f.assume(f.admin, "arn:aws:iam::111111111111:role/"+name)
	return sc
}

func TestEnforceIAMRestrictedRole(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	sc := f.restrictedSession("Deployer", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateRole","iam:GetRole"],"Resource":"arn:aws:iam::111111111111:role/app/*"},
		{"Effect":"Deny","Action":"iam:CreateRole","Resource":"arn:aws:iam::111111111111:role/app/Forbidden"}]}`)

	f.iam(sc, "CreateRole", "RoleName", "Service", "Path", "/app/", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(sc, "GetRole", "RoleName", "Service")

	err := f.iamErr(sc, "CreateRole", "RoleName", "Other", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	wantCode(t, err, "AccessDenied")
	want := "User: arn:aws:sts::111111111111:assumed-role/Deployer/test is not authorized to perform: iam:CreateRole " +
		"on resource: arn:aws:iam::111111111111:role/Other because no identity-based policy allows the iam:CreateRole action"
	if err.Message != want {
		t.Errorf("message = %q\nwant %q", err.Message, want)
	}
	if err.HTTPStatus() != 403 {
		t.Errorf("status = %d, want 403", err.HTTPStatus())
	}

	err = f.iamErr(sc, "CreateRole", "RoleName", "Forbidden", "Path", "/app/", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	if !strings.HasSuffix(err.Message, "with an explicit deny in an identity-based policy") {
		t.Errorf("explicit deny message = %q", err.Message)
	}
	// Authorization comes before the existence check.
	wantCode(t, f.iamErr(sc, "GetRole", "RoleName", "Missing"), "AccessDenied")
	wantCode(t, f.iamErr(sc, "GetRole", "RoleName", "Missing", "Path", "/app/"), "AccessDenied")
	wantCode(t, f.iamErr(sc, "CreatePolicy", "PolicyName", "P", "PolicyDocument", adminPolicy), "AccessDenied")
	wantCode(t, f.iamErr(sc, "ListRoles"), "AccessDenied")

	// GetCallerIdentity is never denied.
	f.sts(sc, "GetCallerIdentity")
	// The administrator has AdministratorAccess.
	f.iam(f.admin, "CreatePolicy", "PolicyName", "P", "PolicyDocument", adminPolicy)
	if err := f.store.Authorize(f.admin, "organizations:CreateAccount", "*", nil); err != nil {
		t.Errorf("Authorize(admin, organizations:CreateAccount) = %v", err)
	}
	if err := f.store.Authorize(sc, "organizations:CreateAccount", "*", nil); err == nil {
		t.Errorf("Authorize(restricted, organizations:CreateAccount) = nil, want AccessDenied")
	}
}

func TestEnforceIAMOff(t *testing.T) {
	f := newFixture(t, Options{})
	sc := f.restrictedSession("Nothing", "")
	f.iam(sc, "CreateRole", "RoleName", "Any", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
}

func TestEnforceIAMBoundary(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	sc := f.restrictedSession("Bounded", adminPolicy, "PermissionsBoundary", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
	f.iam(sc, "GetRole", "RoleName", "Bounded")
	err := f.iamErr(sc, "CreatePolicy", "PolicyName", "P", "PolicyDocument", adminPolicy)
	if !strings.HasSuffix(err.Message, "because no permissions boundary allows the iam:CreatePolicy action") {
		t.Errorf("message = %q", err.Message)
	}
}

func TestEnforceIAMBoundaryCondition(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	f.iam(f.admin, "CreatePolicy", "PolicyName", "Boundary", "PolicyDocument", adminPolicy)
	boundary := "arn:aws:iam::111111111111:policy/Boundary"
	sc := f.restrictedSession("Creator", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePolicy"],"Resource":"*",
		 "Condition":{"StringEquals":{"iam:PermissionsBoundary":"`+boundary+`"}}}]}`)

	wantCode(t, f.iamErr(sc, "CreateRole", "RoleName", "Free", "AssumeRolePolicyDocument", trustAccount(mgmtAccount)), "AccessDenied")
	f.iam(sc, "CreateRole", "RoleName", "Bound", "PermissionsBoundary", boundary, "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	// PutRolePolicy checks iam:PermissionsBoundary against the target role.
	f.iam(sc, "PutRolePolicy", "RoleName", "Bound", "PolicyName", "p", "PolicyDocument", adminPolicy)
	f.iam(f.admin, "CreateRole", "RoleName", "Unbound", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	wantCode(t, f.iamErr(sc, "PutRolePolicy", "RoleName", "Unbound", "PolicyName", "p", "PolicyDocument", adminPolicy), "AccessDenied")
}

func TestRevokeOlderSessions(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	old := f.restrictedSession("R", adminPolicy)
	f.iam(old, "ListRoles")

	f.clock.advance(time.Minute)
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + f.clock.now.Format(time.RFC3339) + `"}}}]}`
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "AWSRevokeOlderSessions", "PolicyDocument", revoke)

	err := f.iamErr(old, "ListRoles")
	if !strings.HasSuffix(err.Message, "with an explicit deny in an identity-based policy") {
		t.Errorf("old session message = %q", err.Message)
	}
	f.clock.advance(time.Second)
	fresh, _ := f.assume(f.admin, "arn:aws:iam::111111111111:role/R")
	f.iam(fresh, "ListRoles")
}

func TestEnforceIAMAssumeRole(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	nobody := f.restrictedSession("Nobody", "")
	f.iam(f.admin, "CreateRole", "RoleName", "TrustsAccount", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "CreateRole", "RoleName", "TrustsRole", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Nobody"},"Action":"sts:AssumeRole"}]}`)
	if err := f.store.CreateAccessRole(memberAccount, "Access", mgmtAccount, f.clock.now); err != nil {
		t.Fatal(err)
	}

	// Trusting the account delegates to the caller's own policies, which
	// allow nothing here.
	wantCode(t, f.stsErr(nobody, "AssumeRole", "RoleArn", "arn:aws:iam::111111111111:role/TrustsAccount", "RoleSessionName", "ss"), "AccessDenied")
	// A same-account trust naming the role itself is enough.
	f.assume(nobody, "arn:aws:iam::111111111111:role/TrustsRole")
	// Across accounts the caller's policies must always allow it.
	wantCode(t, f.stsErr(nobody, "AssumeRole", "RoleArn", "arn:aws:iam::222222222222:role/Access", "RoleSessionName", "ss"), "AccessDenied")
	f.assume(f.admin, "arn:aws:iam::222222222222:role/Access")
}

func TestRolePolicyConsistencyDelay(t *testing.T) {
	delay := 5 * time.Second
	f := newFixture(t, Options{EnforceIAM: true, ConsistencyDelay: delay})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.clock.advance(delay)
	sc, _ := f.assume(f.admin, "arn:aws:iam::111111111111:role/R")

	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "p", "PolicyDocument", adminPolicy)
	wantCode(t, f.iamErr(sc, "ListRoles"), "AccessDenied")
	f.clock.advance(delay)
	f.iam(sc, "ListRoles")

	// A new managed policy version also waits for the delay.
	f.iam(f.admin, "CreatePolicy", "PolicyName", "M", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`)
	f.iam(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::111111111111:policy/M")
	f.iam(sc, "ListRoles")
	f.clock.advance(delay)
	wantCode(t, f.iamErr(sc, "ListRoles"), "AccessDenied")
}

func TestSessionPolicy(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "p", "PolicyDocument", adminPolicy)
	sc, _ := f.assume(f.admin, "arn:aws:iam::111111111111:role/R", "Policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)
	f.iam(sc, "GetRole", "RoleName", "R")
	err := f.iamErr(sc, "ListRoles")
	if !strings.HasSuffix(err.Message, "because no session policy allows the iam:ListRoles action") {
		t.Errorf("message = %q", err.Message)
	}
}
