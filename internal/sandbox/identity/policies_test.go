package identity

import (
	"net/url"
	"strings"
	"testing"
)

func TestPolicyVersions(t *testing.T) {
	f := newFixture(t, Options{})
	arn := "arn:aws:iam::111111111111:policy/deploy/Deploy"
	var created struct {
		Policy struct {
			Arn, DefaultVersionId, PolicyId string
			IsAttachable                    bool
		}
	}
	decode(t, f.iam(f.admin, "CreatePolicy", "PolicyName", "Deploy", "Path", "/deploy/", "PolicyDocument", adminPolicy), &created)
	if created.Policy.Arn != arn || created.Policy.DefaultVersionId != "v1" || !strings.HasPrefix(created.Policy.PolicyId, "ANPA") {
		t.Fatalf("created = %+v", created.Policy)
	}
	wantCode(t, f.iamErr(f.admin, "CreatePolicy", "PolicyName", "deploy", "PolicyDocument", adminPolicy), "EntityAlreadyExists")

	for i := 2; i <= 5; i++ {
		f.iam(f.admin, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", adminPolicy)
	}
	err := f.iamErr(f.admin, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", adminPolicy)
	wantCode(t, err, "LimitExceeded")

	wantCode(t, f.iamErr(f.admin, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v1"), "DeleteConflict")
	f.iam(f.admin, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v2")
	readOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	var v struct {
		PolicyVersion struct {
			VersionId        string
			IsDefaultVersion bool
		}
	}
	decode(t, f.iam(f.admin, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", readOnly, "SetAsDefault", "true"), &v)
	if v.PolicyVersion.VersionId != "v6" || !v.PolicyVersion.IsDefaultVersion {
		t.Errorf("new version = %+v, want v6 as default", v.PolicyVersion)
	}

	var got struct {
		PolicyVersion struct{ Document string }
	}
	decode(t, f.iam(f.admin, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v6"), &got)
	if doc, _ := url.QueryUnescape(got.PolicyVersion.Document); doc != readOnly {
		t.Errorf("document = %q, want %q", doc, readOnly)
	}

	var list struct {
		Versions []struct {
			VersionId        string
			IsDefaultVersion bool
		} `xml:"Versions>member"`
	}
	decode(t, f.iam(f.admin, "ListPolicyVersions", "PolicyArn", arn), &list)
	if len(list.Versions) != 5 || list.Versions[0].VersionId != "v6" || !list.Versions[0].IsDefaultVersion {
		t.Errorf("versions = %+v, want 5 with v6 first and default", list.Versions)
	}

	f.iam(f.admin, "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v3")
	wantCode(t, f.iamErr(f.admin, "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v2"), "NoSuchEntity")
	wantCode(t, f.iamErr(f.admin, "DeletePolicy", "PolicyArn", arn), "DeleteConflict")
	for _, id := range []string{"v1", "v4", "v5", "v6"} {
		f.iam(f.admin, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", id)
	}
	f.iam(f.admin, "DeletePolicy", "PolicyArn", arn)
	wantCode(t, f.iamErr(f.admin, "GetPolicy", "PolicyArn", arn), "NoSuchEntity")
}

func TestManagedPolicySize(t *testing.T) {
	f := newFixture(t, Options{})
	doc := func(n int) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
			strings.Repeat("b", n) + `/*"}]}`
	}
	// doc(n) is n+110 characters, and whitespace is not counted.
	f.iam(f.admin, "CreatePolicy", "PolicyName", "Max", "PolicyDocument", doc(6144-110)+"\n\n   ")
	err := f.iamErr(f.admin, "CreatePolicy", "PolicyName", "Over", "PolicyDocument", doc(6144-109))
	wantCode(t, err, "LimitExceeded")
	if err.Message != "Cannot exceed quota for PolicySize: 6144" {
		t.Errorf("message = %q", err.Message)
	}
	err = f.iamErr(f.admin, "CreatePolicyVersion", "PolicyArn", "arn:aws:iam::111111111111:policy/Max", "PolicyDocument", doc(6144-109))
	wantCode(t, err, "LimitExceeded")
}

func TestMalformedPolicy(t *testing.T) {
	f := newFixture(t, Options{})
	cases := []struct{ name, doc string }{
		{"not JSON", `{"Version":`},
		{"no resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`},
		{"principal in identity policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, f.iamErr(f.admin, "CreatePolicy", "PolicyName", "P", "PolicyDocument", tc.doc), "MalformedPolicyDocument")
		})
	}
}

func TestListPoliciesScope(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreatePolicy", "PolicyName", "Mine", "PolicyDocument", adminPolicy)
	type list struct {
		Policies []struct{ PolicyName string } `xml:"Policies>member"`
	}
	names := func(kv ...string) []string {
		var l list
		decode(t, f.iam(f.admin, "ListPolicies", kv...), &l)
		var out []string
		for _, p := range l.Policies {
			out = append(out, p.PolicyName)
		}
		return out
	}
	if got := names("Scope", "Local"); len(got) != 1 || got[0] != "Mine" {
		t.Errorf("Local = %v, want [Mine]", got)
	}
	if got := names("Scope", "AWS", "OnlyAttached", "true"); len(got) != 1 || got[0] != "AdministratorAccess" {
		t.Errorf("AWS attached = %v, want [AdministratorAccess] (the admin user's)", got)
	}
	if got := names("Scope", "AWS"); len(got) < 3 {
		t.Errorf("AWS = %v, want the AWS managed policies", got)
	}
	wantCode(t, f.iamErr(f.admin, "ListPolicies", "Scope", "Nope"), "ValidationError")
}

func TestPolicyTags(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreatePolicy", "PolicyName", "P", "PolicyDocument", adminPolicy,
		"Tags.member.1.Key", "a", "Tags.member.1.Value", "1")
	arn := "arn:aws:iam::111111111111:policy/P"
	f.iam(f.admin, "TagPolicy", "PolicyArn", arn, "Tags.member.1.Key", "b", "Tags.member.1.Value", "2")
	var got struct {
		Tags []tagXML `xml:"Tags>member"`
	}
	decode(t, f.iam(f.admin, "ListPolicyTags", "PolicyArn", arn), &got)
	if len(got.Tags) != 2 || got.Tags[1] != (tagXML{"b", "2"}) {
		t.Errorf("tags = %v", got.Tags)
	}
	wantCode(t, f.iamErr(f.admin, "TagPolicy", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess",
		"Tags.member.1.Key", "b", "Tags.member.1.Value", "2"), "UnmodifiableEntity")
}
