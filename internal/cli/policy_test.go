package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI executes the root command with args and returns stdout, stderr and
// the error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRootCommand(Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

var selection = []string{"--service", "orders,users", "--stage", "prod", "--region", "us-east-1,eu-west-1", "--account", "123456789012"}

func TestPolicyList(t *testing.T) {
	out, _, err := runCLI(t, "policy", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"aws-cdk", "aws-sam", "cloudformation", "serverless-framework"} {
		if !strings.Contains(out, name) {
			t.Errorf("policy list output lacks %s:\n%s", name, out)
		}
	}

	out, _, err = runCLI(t, "policy", "list", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list []profileSummary
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("policy list --output json is not JSON: %v\n%s", err, out)
	}
	if len(list) != 4 {
		t.Errorf("got %d profiles, want 4", len(list))
	}
}

func TestPolicyShow(t *testing.T) {
	out, _, err := runCLI(t, "policy", "show", "aws-cdk")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"qualifier = \"hnb659fds\"", "deploy-first:", "cdk-${qualifier}-deploy-role-${account}-${region}"} {
		if !strings.Contains(out, want) {
			t.Errorf("policy show aws-cdk lacks %q:\n%s", want, out)
		}
	}
	_, _, err = runCLI(t, "policy", "show", "terraform")
	if err == nil || !strings.Contains(err.Error(), `profile "terraform" not found`) {
		t.Errorf("show terraform error = %v, want profile not found", err)
	}
}

func TestPolicyRenderJSON(t *testing.T) {
	args := append([]string{"policy", "render", "--profile", "serverless-framework", "--output", "json"}, selection...)
	out, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("render output is not JSON: %v", err)
	}
	for _, key := range []string{"policies", "boundary", "digest"} {
		if _, ok := got[key]; !ok {
			t.Errorf("render JSON lacks %q", key)
		}
	}
	if _, ok := got["executionRole"]; ok {
		t.Error("render JSON has executionRole without --service-role")
	}
	var policies []namedJSON
	if err := json.Unmarshal(got["policies"], &policies); err != nil || len(policies) == 0 || policies[0].Name != "orgstrap-deploy-1" {
		t.Errorf("policies = %s (%v), want orgstrap-deploy-1 first", got["policies"], err)
	}

	args = append(args, "--service-role")
	out, _, err = runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"executionRole": {`) || !strings.Contains(out, "cloudformation.amazonaws.com") {
		t.Errorf("service-role render lacks the execution role:\n%.2000s", out)
	}
}

func TestPolicyRenderBroadText(t *testing.T) {
	args := append([]string{"policy", "render", "--profile", "cloudformation", "--access", "broad"}, selection...)
	out, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Deploy role policy orgstrap-deploy-1 (", `"cloudformation:*"`, "DenyOutsideDeployment", "# Permissions boundary orgstrap-boundary"} {
		if !strings.Contains(out, want) {
			t.Errorf("broad render lacks %q", want)
		}
	}
}

func TestPolicyRenderFlagErrors(t *testing.T) {
	base := []string{"policy", "render", "--profile", "serverless-framework"}
	tests := []struct {
		name string
		args []string
		want string
		hint string
	}{
		{"missing flags", []string{"policy", "render", "--profile", "aws-sam"}, "missing --service, --stage, --region, --account", "example:"},
		{"bad access", append(append(base, selection...), "--access", "wide"), `invalid --access "wide"`, "--access broad"},
		{"bad account", append(base, "--service", "a", "--stage", "p", "--region", "us-east-1", "--account", "12"), `invalid account id "12"`, ""},
		{"bad region", append(base, "--service", "a", "--stage", "p", "--region", "useast1", "--account", "123456789012"), `invalid region "useast1"`, ""},
		{"bad partition", append(append(base, selection...), "--partition", "aws-eu"), `invalid partition "aws-eu"`, ""},
		{"unknown profile", append([]string{"policy", "render", "--profile", "pulumi"}, selection...), `profile "pulumi" not found`, ""},
		{"bad variable", append(append(base, selection...), "--var", "qualifier"), `invalid --var "qualifier"`, "NAME=VALUE"},
		{"undeclared variable", append(append(base, selection...), "--var", "qualifier=x"), `variable "qualifier" is not declared`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if tt.hint != "" && !strings.Contains(Hint(err), tt.hint) {
				t.Errorf("hint = %q, want one containing %q", Hint(err), tt.hint)
			}
		})
	}
}

func TestPolicyRenderTooManyPolicies(t *testing.T) {
	var services []string
	for i := range 40 {
		services = append(services, "svc"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	_, _, err := runCLI(t, "policy", "render", "--profile", "serverless-framework", "--service", strings.Join(services, ","),
		"--stage", "prod", "--region", "us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2,eu-central-1,ap-south-1",
		"--account", "123456789012")
	if err == nil || !strings.Contains(err.Error(), "more than the 10 a role can have") {
		t.Fatalf("error = %v, want the managed policy limit", err)
	}
	if !strings.Contains(Hint(err), "--service-role") {
		t.Errorf("hint = %q, want it to suggest --service-role", Hint(err))
	}
}

func TestPolicyCheckRequiredCalls(t *testing.T) {
	for _, profile := range []string{"serverless-framework", "aws-cdk", "aws-sam,cloudformation"} {
		args := append([]string{"policy", "check", "--profile", profile}, selection...)
		out, _, err := runCLI(t, args...)
		if err != nil {
			t.Errorf("check %s: %v\n%s", profile, err, out)
			continue
		}
		if !strings.Contains(out, " calls allowed") {
			t.Errorf("check %s output lacks the summary:\n%s", profile, out)
		}
	}
}

func TestPolicyCheckTraceDenied(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace.yaml")
	text := `- {action: sts:GetCallerIdentity, resource: "*"}
- {action: iam:CreateAccessKey, resource: "arn:aws:iam::123456789012:user/admin"}
- action: iam:CreateRole
  resource: arn:aws:iam::123456789012:role/orders-prod-worker
- action: lambda:UpdateFunctionCode
  resource: arn:aws:lambda:us-east-1:123456789012:function:billing-prod-charge
`
	if err := os.WriteFile(trace, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"policy", "check", "--profile", "serverless-framework", "--trace", trace}, selection...)
	out, _, err := runCLI(t, args...)
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("error = %v, want exit code 1", err)
	}
	if !strings.Contains(err.Error(), "3 of 4 calls denied") {
		t.Errorf("error = %q, want 3 of 4 calls denied", err)
	}
	for _, want := range []string{
		"DENIED iam:CreateAccessKey on arn:aws:iam::123456789012:user/admin",
		"DENIED iam:CreateRole on arn:aws:iam::123456789012:role/orders-prod-worker",
		"explicit deny in permissions boundary orgstrap-boundary",
		"DENIED lambda:UpdateFunctionCode",
		"1 of 4 calls allowed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

func TestPolicyCheckTraceJSONErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"action": "s3:GetObject"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"policy", "check", "--profile", "serverless-framework", "--trace", bad}, selection...)
	_, _, err := runCLI(t, args...)
	if err == nil || !strings.Contains(err.Error(), "entry 1: missing action or resource") {
		t.Errorf("error = %v, want the missing resource named", err)
	}
	args = append([]string{"policy", "check", "--profile", "serverless-framework", "--trace", filepath.Join(dir, "absent.json")}, selection...)
	if _, _, err = runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "read trace") {
		t.Errorf("error = %v, want read trace", err)
	}

	unknown := filepath.Join(dir, "unknown.yaml")
	if err := os.WriteFile(unknown, []byte("- {action: lambda:Nope, resource: \"*\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"policy", "check", "--profile", "serverless-framework", "--trace", unknown}, selection...)
	if _, _, err = runCLI(t, args...); err == nil || !strings.Contains(err.Error(), `"lambda:Nope" is not an IAM action`) {
		t.Errorf("error = %v, want the unknown action named", err)
	}
}

func TestPolicyLintProfile(t *testing.T) {
	out, _, err := runCLI(t, "policy", "lint", "serverless-framework")
	if err != nil {
		t.Fatalf("lint: %v\n%s", err, out)
	}
	if !strings.Contains(out, "bounded escalation path, inline policy on a role") {
		t.Errorf("lint output lacks the bounded role policy path:\n%s", out)
	}
}

func TestPolicyLintFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "wide.json")
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow","Action":["iam:PassRole","lambda:*","s3:GetObjekt"],"Resource":"*"}]}`
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "policy", "lint", file, "--output", "json")
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("error = %v, want exit code 1 for high findings", err)
	}
	var findings []struct{ Severity, Rule, Message string }
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatalf("lint JSON: %v\n%s", err, out)
	}
	rules := map[string]bool{}
	for _, f := range findings {
		rules[f.Rule] = true
	}
	for _, want := range []string{"escalation", "unknown-action", "unscoped-write"} {
		if !rules[want] {
			t.Errorf("findings lack rule %s: %+v", want, findings)
		}
	}
}

func TestPolicyLintProfileFile(t *testing.T) {
	dir := t.TempDir()
	text := `name: mismatched
description: names a bucket where a function belongs
statements:
  - sid: Read
    actions: [lambda:GetFunction]
    resources: ["arn:${partition}:s3:::${service}-${stage}-code"]
commands:
  - name: read
    calls:
      - {action: lambda:GetFunction, resource: "arn:${partition}:lambda:${region}:${account}:function:x"}
`
	file := filepath.Join(dir, "mismatched.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "policy", "lint", file)
	if err != nil {
		t.Fatalf("lint: %v\n%s", err, out)
	}
	want := "resource-mismatch orgstrap-deploy-1 Read: no resource of arn:aws:s3:::app-prod-code can match lambda:GetFunction"
	if !strings.Contains(out, want) {
		t.Errorf("lint output lacks %q:\n%s", want, out)
	}
}

func TestPolicyLibraryDirectoryErrors(t *testing.T) {
	dir := t.TempDir()
	text := "name: custom\ndescription: x\nstatements:\n  - sid: A\n    actions: [s3:GetObjekt]\n    resources: [\"*\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "custom.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, "policy", "list", "--library", dir)
	want := filepath.Join(dir, "custom.yaml") + `:5: statements[0].actions[0]: "s3:GetObjekt" is not an IAM action`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to contain %q", err, want)
	}
}
