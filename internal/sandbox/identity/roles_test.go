package identity

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestCreateRoleValidation(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "Deploy", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))

	bigTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"` +
		strings.Repeat("x", 2100) + `"}}}]}`
	cases := []struct {
		name string
		kv   []string
		code string
	}{
		{"name too long", []string{"RoleName", strings.Repeat("r", 65), "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, "ValidationError"},
		{"name bad character", []string{"RoleName", "de:ploy", "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, "ValidationError"},
		{"duplicate ignoring case", []string{"RoleName", "DEPLOY", "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, "EntityAlreadyExists"},
		{"missing trust", []string{"RoleName", "NoTrust"}, "ValidationError"},
		{"bad path", []string{"RoleName", "P", "Path", "noslash", "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, "ValidationError"},
		{"session too short", []string{"RoleName", "S", "MaxSessionDuration", "3599", "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, "ValidationError"},
		{"session too long", []string{"RoleName", "S", "MaxSessionDuration", "43201", "AssumeRolePolicyDocument", trustAccount(mgmtAccount)}, "ValidationError"},
		{"syntax error", []string{"RoleName", "J", "AssumeRolePolicyDocument", `{"Version":`}, "MalformedPolicyDocument"},
		{"trust with resource-less identity form", []string{"RoleName", "J", "AssumeRolePolicyDocument", adminPolicy}, "MalformedPolicyDocument"},
		{"unknown role principal", []string{"RoleName", "U", "AssumeRolePolicyDocument",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Nope"},"Action":"sts:AssumeRole"}]}`}, "MalformedPolicyDocument"},
		{"trust too large", []string{"RoleName", "Big", "AssumeRolePolicyDocument", bigTrust}, "LimitExceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.iamErr(f.admin, "CreateRole", tc.kv...)
			wantCode(t, err, tc.code)
		})
	}

	err := f.iamErr(f.admin, "CreateRole", "RoleName", "U", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Nope"},"Action":"sts:AssumeRole"}]}`)
	if !strings.Contains(err.Message, "Invalid principal in policy") {
		t.Errorf("unknown principal message = %q, want it to contain %q", err.Message, "Invalid principal in policy")
	}
	err = f.iamErr(f.admin, "CreateRole", "RoleName", "Big", "AssumeRolePolicyDocument", bigTrust)
	if err.Message != "Cannot exceed quota for ACLSizePerRole: 2048" {
		t.Errorf("trust size message = %q", err.Message)
	}
}

func TestTrustNamingExistingRole(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "Source", "Path", "/ci/", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci/Source"},"Action":"sts:AssumeRole"}]}`
	f.iam(f.admin, "CreateRole", "RoleName", "Target", "AssumeRolePolicyDocument", trust)

	session := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/Source/ci-run"},"Action":"sts:AssumeRole"}]}`
	f.iam(f.admin, "CreateRole", "RoleName", "SessionTarget", "AssumeRolePolicyDocument", session)
	noRole := strings.Replace(session, "/Source/", "/Missing/", 1)
	wantCode(t, f.iamErr(f.admin, "CreateRole", "RoleName", "Bad", "AssumeRolePolicyDocument", noRole), "MalformedPolicyDocument")
}

func TestGetRoleShape(t *testing.T) {
	f := newFixture(t, Options{})
	trust := trustAccount(mgmtAccount)
	f.iam(f.admin, "CreateRole", "RoleName", "Deploy", "Path", "/orgstrap/", "Description", "deploys",
		"MaxSessionDuration", "7200", "AssumeRolePolicyDocument", trust,
		"Tags.member.1.Key", "owner", "Tags.member.1.Value", "orgstrap")
	var got struct {
		Role struct {
			RoleName, Path, Arn, RoleId, Description, AssumeRolePolicyDocument string
			MaxSessionDuration                                                 int
			Tags                                                               []tagXML `xml:"Tags>member"`
		}
	}
	decode(t, f.iam(f.admin, "GetRole", "RoleName", "deploy"), &got)
	r := got.Role
	if r.Arn != "arn:aws:iam::111111111111:role/orgstrap/Deploy" {
		t.Errorf("Arn = %q", r.Arn)
	}
	if !strings.HasPrefix(r.RoleId, "AROA") || len(r.RoleId) != 21 {
		t.Errorf("RoleId = %q, want AROA and 21 characters", r.RoleId)
	}
	if r.MaxSessionDuration != 7200 || r.Description != "deploys" {
		t.Errorf("MaxSessionDuration, Description = %d, %q", r.MaxSessionDuration, r.Description)
	}
	doc, err := url.QueryUnescape(r.AssumeRolePolicyDocument)
	if err != nil || doc != trust {
		t.Errorf("decoded trust = %q (%v), want %q", doc, err, trust)
	}
	if len(r.Tags) != 1 || r.Tags[0] != (tagXML{"owner", "orgstrap"}) {
		t.Errorf("Tags = %v", r.Tags)
	}
}

func TestListRolesPaging(t *testing.T) {
	f := newFixture(t, Options{})
	for _, name := range []string{"c", "a", "b"} {
		f.iam(f.admin, "CreateRole", "RoleName", name, "Path", "/p/", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	}
	f.iam(f.admin, "CreateRole", "RoleName", "other", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	type page struct {
		Roles       []struct{ RoleName string } `xml:"Roles>member"`
		IsTruncated bool
		Marker      string
	}
	var first, second page
	decode(t, f.iam(f.admin, "ListRoles", "PathPrefix", "/p/", "MaxItems", "2"), &first)
	if len(first.Roles) != 2 || first.Roles[0].RoleName != "a" || !first.IsTruncated || first.Marker == "" {
		t.Fatalf("first page = %+v, want a, b and a marker", first)
	}
	decode(t, f.iam(f.admin, "ListRoles", "PathPrefix", "/p/", "MaxItems", "2", "Marker", first.Marker), &second)
	if len(second.Roles) != 1 || second.Roles[0].RoleName != "c" || second.IsTruncated {
		t.Fatalf("second page = %+v, want c only", second)
	}
}

func TestDeleteRoleConflicts(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "inline", "PolicyDocument", adminPolicy)
	wantCode(t, f.iamErr(f.admin, "DeleteRole", "RoleName", "R"), "DeleteConflict")
	f.iam(f.admin, "DeleteRolePolicy", "RoleName", "R", "PolicyName", "inline")
	f.iam(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	wantCode(t, f.iamErr(f.admin, "DeleteRole", "RoleName", "R"), "DeleteConflict")
	f.iam(f.admin, "DetachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.iam(f.admin, "DeleteRole", "RoleName", "R")
	wantCode(t, f.iamErr(f.admin, "GetRole", "RoleName", "R"), "NoSuchEntity")
}

func TestAttachedPolicyLimit(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	for i := range 10 {
		name := "p" + string(rune('a'+i))
		f.iam(f.admin, "CreatePolicy", "PolicyName", name, "PolicyDocument", adminPolicy)
		f.iam(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::111111111111:policy/"+name)
	}
	err := f.iamErr(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	wantCode(t, err, "LimitExceeded")
	if err.Message != "Cannot exceed quota for PoliciesPerRole: 10" {
		t.Errorf("message = %q", err.Message)
	}
	// Attaching a policy that is already attached is not a new attachment.
	f.iam(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::111111111111:policy/pa")
	wantCode(t, f.iamErr(f.admin, "DeletePolicy", "PolicyArn", "arn:aws:iam::111111111111:policy/pa"), "DeleteConflict")
	wantCode(t, f.iamErr(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::111111111111:policy/missing"), "NoSuchEntity")
}

func TestInlinePolicySizeLimit(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	doc := func(n int) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
			strings.Repeat("b", n) + `/*"}]}`
	}
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "one", "PolicyDocument", doc(5000))
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "two", "PolicyDocument", doc(5000))
	err := f.iamErr(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "three", "PolicyDocument", doc(300))
	wantCode(t, err, "LimitExceeded")
	// Each doc(n) is n+110 characters. Replacing a policy counts its new
	// size only, and a total of exactly 10,240 is allowed.
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "two", "PolicyDocument", doc(5020))
	wantCode(t, f.iamErr(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "two", "PolicyDocument", doc(5021)), "LimitExceeded")
}

func TestPermissionsBoundary(t *testing.T) {
	f := newFixture(t, Options{})
	boundary := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	f.iam(f.admin, "CreateRole", "RoleName", "R", "PermissionsBoundary", boundary, "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	var got struct {
		Role struct {
			PermissionsBoundary struct{ PermissionsBoundaryArn, PermissionsBoundaryType string }
		}
	}
	decode(t, f.iam(f.admin, "GetRole", "RoleName", "R"), &got)
	if got.Role.PermissionsBoundary.PermissionsBoundaryArn != boundary {
		t.Errorf("boundary = %+v, want %s", got.Role.PermissionsBoundary, boundary)
	}
	f.iam(f.admin, "DeleteRolePermissionsBoundary", "RoleName", "R")
	wantCode(t, f.iamErr(f.admin, "DeleteRolePermissionsBoundary", "RoleName", "R"), "NoSuchEntity")
	f.iam(f.admin, "PutRolePermissionsBoundary", "RoleName", "R", "PermissionsBoundary", boundary)
	wantCode(t, f.iamErr(f.admin, "PutRolePermissionsBoundary", "RoleName", "R",
		"PermissionsBoundary", "arn:aws:iam::111111111111:policy/none"), "InvalidInput")
}

func TestRoleTags(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "TagRole", "RoleName", "R", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1",
		"Tags.member.2.Key", "b", "Tags.member.2.Value", "2")
	f.iam(f.admin, "TagRole", "RoleName", "R", "Tags.member.1.Key", "A", "Tags.member.1.Value", "3")
	f.iam(f.admin, "UntagRole", "RoleName", "R", "TagKeys.member.1", "b")
	var got struct {
		Tags []tagXML `xml:"Tags>member"`
	}
	decode(t, f.iam(f.admin, "ListRoleTags", "RoleName", "R"), &got)
	if len(got.Tags) != 1 || got.Tags[0] != (tagXML{"a", "3"}) {
		t.Errorf("tags = %v, want [a=3]", got.Tags)
	}
	kv := []string{"RoleName", "R"}
	for i := 1; i <= 50; i++ {
		kv = append(kv, "Tags.member."+strconv.Itoa(i)+".Key", "k"+strconv.Itoa(i), "Tags.member."+strconv.Itoa(i)+".Value", "v")
	}
	wantCode(t, f.iamErr(f.admin, "TagRole", kv...), "LimitExceeded")
}

func TestUpdateRole(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "UpdateRole", "RoleName", "R", "MaxSessionDuration", "43200", "Description", "d")
	var got struct {
		Role struct {
			MaxSessionDuration int
			Description        string
		}
	}
	decode(t, f.iam(f.admin, "GetRole", "RoleName", "R"), &got)
	if got.Role.MaxSessionDuration != 43200 || got.Role.Description != "d" {
		t.Errorf("role = %+v", got.Role)
	}
	wantCode(t, f.iamErr(f.admin, "UpdateRole", "RoleName", "R", "MaxSessionDuration", "100"), "ValidationError")
}
