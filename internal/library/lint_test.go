package library

import (
	"strings"
	"testing"

	"github.com/orgstrap/orgstrap/internal/policy"
)

func lintDocument(t *testing.T, text string) []Finding {
	t.Helper()
	doc, err := policy.ParseDocument([]byte(text))
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	return Lint([]policy.NamedPolicy{{Name: "test", Document: doc}})
}

func hasFinding(findings []Finding, sev Severity, rule, text string) bool {
	for _, f := range findings {
		if f.Severity == sev && f.Rule == rule && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

func TestLintFindings(t *testing.T) {
	tests := []struct {
		name     string
		document string
		severity Severity
		rule     string
		text     string
	}{
		{
			"unknown action",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`,
			SeverityHigh, RuleUnknownAction, `"s3:GetObjekt" is not an IAM action`,
		},
		{
			"unscoped write",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`,
			SeverityMedium, RuleUnscopedWrite, `s3:PutObject allows 1 write actions on "*"`,
		},
		{
			"conditioned write",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
			  "Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}]}`,
			SeverityLow, RuleUnscopedWrite, "limited by conditions",
		},
		{
			"resource type mismatch",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction",
			  "Resource":"arn:aws:s3:::bucket/*"}]}`,
			SeverityMedium, RuleResourceMismatch, "no resource of arn:aws:s3:::bucket/* can match lambda:InvokeFunction",
		},
		{
			"scoped action without resource types",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudformation:ValidateTemplate",
			  "Resource":"arn:aws:cloudformation:us-east-1:123456789012:stack/app-prod/*"}]}`,
			SeverityMedium, RuleResourceMismatch, `cloudformation:ValidateTemplate supports no resource types`,
		},
		{
			"pass role and new function",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}`,
			SeverityHigh, RuleEscalation, "unscoped escalation path, pass a role to a new function and invoke it",
		},
		{
			"access keys",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`,
			SeverityHigh, RuleEscalation, "access key for another user",
		},
		{
			"trust rewrite and assume",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:UpdateAssumeRolePolicy","sts:AssumeRole"],"Resource":"*"}]}`,
			SeverityHigh, RuleEscalation, "rewrite a role's trust policy and assume it",
		},
		{
			"bounded role policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"arn:aws:iam::123456789012:role/app-prod-*",
			  "Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/orgstrap-boundary"}}}]}`,
			SeverityInfo, RuleEscalation, "bounded escalation path, inline policy on a role",
		},
		{
			"scoped code update",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"arn:aws:lambda:us-east-1:123456789012:function:app-prod-*"}]}`,
			SeverityInfo, RuleEscalation, "scoped escalation path, replace an existing function's code",
		},
		{
			"account-wide code update",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"arn:aws:lambda:us-east-1:123456789012:function:*"}]}`,
			SeverityHigh, RuleEscalation, "unscoped escalation path, replace an existing function's code",
		},
		{
			"not action",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`,
			SeverityHigh, RuleNotAction, "NotAction",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings := lintDocument(t, tt.document)
			if !hasFinding(findings, tt.severity, tt.rule, tt.text) {
				t.Errorf("findings = %+v, want a %s %s finding containing %q", findings, tt.severity, tt.rule, tt.text)
			}
		})
	}
}

func TestLintDenyRemovesEscalation(t *testing.T) {
	findings := lintDocument(t, `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"iam:*","Resource":"*"},
	  {"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`)
	if hasFinding(findings, SeverityHigh, RuleEscalation, "access key for another user") {
		t.Errorf("findings = %+v, want no access key path once it is denied", findings)
	}
}

func TestLintScopedResourcesClean(t *testing.T) {
	findings := lintDocument(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],
	  "Resource":"arn:aws:s3:::app-prod-data/*"}]}`)
	if len(findings) != 0 {
		t.Errorf("findings = %+v, want none", findings)
	}
}

// TestLintRestrictedProfiles expects the restricted renderings to have no
// high or medium findings: their escalation paths are all scoped or bounded.
func TestLintRestrictedProfiles(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		t.Run(name, func(t *testing.T) {
			findings := LintRendered(render(t, l, SampleTarget(name)))
			var info int
			for _, f := range findings {
				switch f.Severity {
				case SeverityHigh, SeverityMedium:
					t.Errorf("%s %s in %s %s: %s", f.Severity, f.Rule, f.Policy, f.Sid, f.Message)
				case SeverityInfo:
					info++
				}
			}
			if info == 0 {
				t.Error("no scoped or bounded escalation paths reported, want the deploy paths listed")
			}
		})
	}
}

func TestAccountWide(t *testing.T) {
	tests := []struct {
		resource string
		want     bool
	}{
		{"*", true},
		{"arn:aws:iam::123456789012:role/*", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:*", true},
		{"arn:aws:s3:::*", true},
		{"arn:aws:s3:::*serverlessdeploymentbuck*", false},
		{"arn:aws:iam::123456789012:role/app-prod-*", false},
		{"arn:aws:cloudformation:us-east-1:123456789012:stack/app-prod/*", false},
	}
	for _, tt := range tests {
		if got := accountWide(tt.resource); got != tt.want {
			t.Errorf("accountWide(%q) = %v, want %v", tt.resource, got, tt.want)
		}
	}
}

func TestGlobsIntersect(t *testing.T) {
	tests := []struct {
		p, q string
		want bool
	}{
		{"arn:*:iam::*:role/*", "arn:aws:iam::123456789012:role/app-*", true},
		{"arn:*:iam::*:role/*", "arn:aws:s3:::bucket", false},
		{"a*c", "*b*", true},
		{"a?c", "abd", false},
		{"*", "", true},
		{"abc", "abc", true},
		{"ab", "abc", false},
	}
	for _, tt := range tests {
		if got := globsIntersect(tt.p, tt.q); got != tt.want {
			t.Errorf("globsIntersect(%q, %q) = %v, want %v", tt.p, tt.q, got, tt.want)
		}
	}
}
