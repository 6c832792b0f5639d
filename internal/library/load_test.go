package library

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadEmbedded(t *testing.T) {
	l := loadLibrary(t)
	want := []string{"aws-cdk", "aws-sam", "cloudformation", "serverless-framework"}
	if got := l.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	p, err := l.Profile("aws-cdk")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Variables) != 1 || p.Variables[0].Name != "qualifier" || p.Variables[0].Default != "hnb659fds" {
		t.Errorf("aws-cdk variables = %+v, want qualifier with default hnb659fds", p.Variables)
	}
	if _, err := l.Profile("terraform"); err == nil || !strings.Contains(err.Error(), "serverless-framework") {
		t.Errorf("Profile(terraform) error = %v, want one listing the known profiles", err)
	}
}

// TestEveryProfileActionExists checks each action pattern in every profile
// against the catalogue: names must exist and wildcards must match.
func TestEveryProfileActionExists(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		p, _ := l.Profile(name)
		var patterns []string
		collect := func(list []Statement) {
			for _, s := range list {
				patterns = append(patterns, s.Actions...)
			}
		}
		collect(p.Statements)
		collect(p.Broad.Statements)
		patterns = append(patterns, p.Broad.Actions...)
		patterns = append(patterns, p.Boundary.Allow...)
		for _, r := range p.Roles {
			collect(r.Statements)
		}
		for _, c := range p.Commands {
			for _, call := range c.Calls {
				patterns = append(patterns, call.Action)
			}
		}
		for _, pattern := range patterns {
			if len(l.catalog.Match(pattern)) == 0 {
				t.Errorf("%s: %q matches no IAM action in %s %s", name, pattern, l.catalog.Package, l.catalog.Version)
			}
		}
	}
}

const validProfile = `name: custom
description: a custom profile
statements:
  - sid: Read
    actions: [s3:GetObject]
    resources: ["arn:${partition}:s3:::${service}-${stage}-data/*"]
commands:
  - name: read
    calls:
      - {action: s3:GetObject, resource: "arn:${partition}:s3:::${service}-${stage}-data/x"}
`

func writeProfile(t *testing.T, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadUserDirectory(t *testing.T) {
	dir := writeProfile(t, "custom.yaml", validProfile)
	l, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !slices.Contains(l.Names(), "custom") {
		t.Errorf("Names() = %v, want custom among them", l.Names())
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{
			"unknown action",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [s3:GetObjekt]", 1),
			`my.yaml:5: statements[0].actions[0]: "s3:GetObjekt" is not an IAM action`,
		},
		{
			"unknown service",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [s4:GetObject]", 1),
			`my.yaml:5: statements[0].actions[0]: "s4:GetObject" is not an IAM action: no service has the prefix "s4"`,
		},
		{
			"wildcard without match",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [s3:Fly*]", 1),
			`my.yaml:5: statements[0].actions[0]: "s3:Fly*" matches no IAM action`,
		},
		{
			"unknown field",
			strings.Replace(validProfile, "    actions:", "    action: [x]\n    actions:", 1),
			`my.yaml:5: statements[0].action: unknown field "action": check its spelling`,
		},
		{
			"string for list",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: s3:GetObject", 1),
			"my.yaml:5: statements[0].actions: expected a list of strings, got a string (s3:GetO...)",
		},
		{
			"string for variables",
			validProfile + "variables: qualifier\n",
			"my.yaml:11: variables: expected a list, got a string (qualifier)",
		},
		{
			"no commands",
			validProfile[:strings.Index(validProfile, "commands:")],
			"my.yaml:1: commands: missing: list the framework's commands",
		},
		{
			"syntax error",
			"name: custom\n  description: [\n",
			"my.yaml:2:",
		},
		{
			"unknown variable",
			strings.Replace(validProfile, "${stage}-data/*", "${stag}-data/*", 1),
			"my.yaml:6: statements[0].resources[0]: unknown variable ${stag}",
		},
		{
			"role creation without boundary",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [iam:CreateRole]", 1) +
				"escalation:\n  - {scope: boundary, actions: [iam:CreateRole]}\n",
			"my.yaml:5: statements[0].actions[0]: iam:CreateRole is escalation-sensitive (scope boundary): add the condition StringEquals iam:PermissionsBoundary: [${boundaryArn}]",
		},
		{
			"account-wide code update",
			strings.Replace(strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [lambda:UpdateFunctionCode]", 1),
				`resources: ["arn:${partition}:s3:::${service}-${stage}-data/*"]`, `resources: ["arn:${partition}:lambda:${region}:${account}:function:*"]`, 1) +
				"escalation:\n  - {scope: resource, actions: [lambda:UpdateFunctionCode]}\n",
			`my.yaml:5: statements[0].actions[0]: lambda:UpdateFunctionCode is escalation-sensitive (scope resource): resource "arn:${partition}:lambda:${region}:${account}:function:*" names every resource of its type`,
		},
		{
			"wrong escalation scope",
			validProfile + "escalation:\n  - {scope: resource, actions: [iam:PassRole]}\n",
			`my.yaml:12: escalation[0].actions[0]: "iam:PassRole" needs scope passed-to-service, not resource`,
		},
		{
			"forbidden service",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [organizations:ListAccounts]", 1),
			`my.yaml:5: statements[0].actions[0]: "organizations:ListAccounts" is never granted`,
		},
		{
			"access keys",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [iam:CreateAccessKey]", 1),
			"can never be granted to a deploy role",
		},
		{
			"undeclared escalation",
			strings.Replace(validProfile, "actions: [s3:GetObject]", "actions: [iam:PassRole]", 1),
			"iam:PassRole is escalation-sensitive: declare it under escalation with scope passed-to-service",
		},
		{
			"escalation on star",
			validProfile + "  - name: x\n    calls: [{action: iam:GetRole, resource: \"*\"}]\n" +
				"broad:\n  actions: [iam:*Role*]\n",
			`my.yaml:14: broad.actions[0]: "iam:*Role*" matches iam:AttachRolePolicy, which may not be allowed on "*" in broad access`,
		},
		{
			"bad name",
			strings.Replace(validProfile, "name: custom", "name: Custom Profile", 1),
			`my.yaml:1: name: "Custom Profile" is not a valid profile name`,
		},
		{
			"duplicate of embedded",
			strings.Replace(validProfile, "name: custom", "name: aws-sam", 1),
			`my.yaml:1: name: profile "aws-sam" is already defined in profiles/aws-sam.yaml`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProfile(t, "my.yaml", tt.text)
			_, err := Load(dir)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tt.want)
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			if !strings.Contains(got, tt.want) {
				t.Errorf("Load error:\n%s\nwant it to contain:\n%s", got, tt.want)
			}
		})
	}
}

func TestLoadMissingDirectory(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent"))
	if err == nil || !strings.Contains(err.Error(), "read profile directory") {
		t.Errorf("Load error = %v, want a read profile directory error", err)
	}
}
