package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// debianAWSCLI is where Debian's awscli package installs the AWS CLI v2.
const debianAWSCLI = "/usr/bin/aws"

// awsCLI is one installed AWS CLI.
type awsCLI struct {
	path    string
	version string // "aws-cli/2.9.19"
}

// findAWSCLIs returns Debian's AWS CLI and the one first on PATH, when they
// are different programs. The conformance test needs at least one.
func findAWSCLIs(t *testing.T) []awsCLI {
	t.Helper()
	var candidates []string
	if _, err := os.Stat(debianAWSCLI); err == nil {
		candidates = append(candidates, debianAWSCLI)
	}
	if path, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, path)
	}

	var clis []awsCLI
	seen := map[string]bool{}
	for _, path := range candidates {
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			resolved = path
		}
		out, err := exec.Command(path, "--version").CombinedOutput()
		if err != nil {
			t.Logf("skipping %s: aws --version failed: %v: %s", path, err, out)
			continue
		}
		version, _, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
		if seen[resolved] || seen[version] {
			continue
		}
		seen[resolved], seen[version] = true, true
		clis = append(clis, awsCLI{path: path, version: version})
	}
	if len(clis) == 0 {
		t.Fatalf("no AWS CLI found at %s or on PATH: install awscli (apt-get install awscli)", debianAWSCLI)
	}
	return clis
}

// awsRunner runs one AWS CLI against a sandbox with credentials from the
// environment and no configuration files.
type awsRunner struct {
	t        *testing.T
	cli      awsCLI
	endpoint string
	env      []string
}

func newAWSRunner(t *testing.T, cli awsCLI, endpoint, keyID, secret, token string) *awsRunner {
	dir := t.TempDir()
	configFile := filepath.Join(dir, "config")
	credentialsFile := filepath.Join(dir, "credentials")
	for _, f := range []string{configFile, credentialsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_CONFIG_FILE="+configFile,
		"AWS_SHARED_CREDENTIALS_FILE="+credentialsFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID="+keyID,
		"AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	)
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	}
	return &awsRunner{t: t, cli: cli, endpoint: endpoint, env: env}
}

// run runs the CLI with args and returns its stdout, stderr and error. It
// always passes --endpoint-url, because Debian's CLI 2.9 ignores
// AWS_ENDPOINT_URL and would otherwise call AWS itself.
func (r *awsRunner) run(args ...string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := append([]string{"--endpoint-url", r.endpoint, "--output", "json"}, args...)
	cmd := exec.CommandContext(ctx, r.cli.path, full...)
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

// must runs the CLI and decodes its JSON output into out, which may be nil.
func (r *awsRunner) must(out any, args ...string) {
	r.t.Helper()
	stdout, stderr, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if out != nil {
		if err := json.Unmarshal(stdout, out); err != nil {
			r.t.Fatalf("aws %s: decoding %q: %v", strings.Join(args, " "), stdout, err)
		}
	}
}

// mustFail runs the CLI and checks that it fails with the error code.
func (r *awsRunner) mustFail(code string, args ...string) {
	r.t.Helper()
	_, stderr, err := r.run(args...)
	if err == nil {
		r.t.Fatalf("aws %s succeeded, want error %s", strings.Join(args, " "), code)
	}
	if !strings.Contains(stderr, "("+code+")") {
		r.t.Fatalf("aws %s: stderr %q, want error code %s", strings.Join(args, " "), stderr, code)
	}
}

func TestAWSCLIConformance(t *testing.T) {
	for _, cli := range findAWSCLIs(t) {
		t.Run(cli.version, func(t *testing.T) {
			served := startServe(t, "--create-account-delay", "1s")
			admin := newAWSRunner(t, cli, served.Env["AWS_ENDPOINT_URL"],
				served.Env["AWS_ACCESS_KEY_ID"], served.Env["AWS_SECRET_ACCESS_KEY"], "")
			member := conformanceOrganizations(t, admin)
			conformanceIAM(t, member)

			stranger := newAWSRunner(t, cli, served.Env["AWS_ENDPOINT_URL"], "AKIAZZZZZZZZZZZZZZZZ", "wrong", "")
			stranger.mustFail("InvalidClientTokenId", "sts", "get-caller-identity")
			stranger.mustFail("UnrecognizedClientException", "organizations", "describe-organization")
			wrongSecret := newAWSRunner(t, cli, served.Env["AWS_ENDPOINT_URL"], served.Env["AWS_ACCESS_KEY_ID"], "wrong", "")
			wrongSecret.mustFail("SignatureDoesNotMatch", "iam", "list-roles")
		})
	}
}

// conformanceOrganizations creates the organization and a member account,
// assumes the member's access role and returns a runner with that session.
func conformanceOrganizations(t *testing.T, admin *awsRunner) *awsRunner {
	var caller struct{ Account, Arn string }
	admin.must(&caller, "sts", "get-caller-identity")

	admin.must(nil, "organizations", "create-organization", "--feature-set", "ALL")
	var org struct {
		Organization struct{ Id, MasterAccountId string }
	}
	admin.must(&org, "organizations", "describe-organization")
	if org.Organization.MasterAccountId != caller.Account {
		t.Errorf("describe-organization MasterAccountId = %s, want %s", org.Organization.MasterAccountId, caller.Account)
	}
	if !strings.HasPrefix(org.Organization.Id, "o-") {
		t.Errorf("describe-organization Id = %q, want o-...", org.Organization.Id)
	}

	type status struct{ Id, State, AccountId, FailureReason string }
	var created struct{ CreateAccountStatus status }
	admin.must(&created, "organizations", "create-account", "--email", "dev@example.com", "--account-name", "dev")
	if created.CreateAccountStatus.State != "IN_PROGRESS" {
		t.Fatalf("create-account State = %s, want IN_PROGRESS", created.CreateAccountStatus.State)
	}
	var described struct{ CreateAccountStatus status }
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		admin.must(&described, "organizations", "describe-create-account-status",
			"--create-account-request-id", created.CreateAccountStatus.Id)
		if described.CreateAccountStatus.State != "IN_PROGRESS" || time.Now().After(deadline) {
			break
		}
	}
	if described.CreateAccountStatus.State != "SUCCEEDED" {
		t.Fatalf("describe-create-account-status = %+v, want SUCCEEDED", described.CreateAccountStatus)
	}
	memberID := described.CreateAccountStatus.AccountId

	var accounts struct {
		Accounts []struct{ Id, Email, Status string }
	}
	admin.must(&accounts, "organizations", "list-accounts")
	ids := []string{}
	for _, a := range accounts.Accounts {
		ids = append(ids, a.Id)
	}
	if len(ids) != 2 || !slices.Contains(ids, memberID) || !slices.Contains(ids, caller.Account) {
		t.Errorf("list-accounts ids = %v, want %s and %s", ids, caller.Account, memberID)
	}

	var assumed struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/OrganizationAccountAccessRole", memberID)
	admin.must(&assumed, "sts", "assume-role", "--role-arn", roleARN, "--role-session-name", "conformance")
	member := newAWSRunner(t, admin.cli, admin.endpoint,
		assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken)

	var memberCaller struct{ Account, Arn string }
	member.must(&memberCaller, "sts", "get-caller-identity")
	if memberCaller.Account != memberID {
		t.Errorf("get-caller-identity with the assumed role: Account = %s, want %s", memberCaller.Account, memberID)
	}
	if want := "assumed-role/OrganizationAccountAccessRole/conformance"; !strings.HasSuffix(memberCaller.Arn, want) {
		t.Errorf("get-caller-identity Arn = %s, want one ending in %s", memberCaller.Arn, want)
	}
	member.mustFail("AccessDeniedException", "organizations", "list-accounts")
	return member
}

// conformanceIAM exercises IAM in the member account: roles, inline and
// managed policies, the five-version limit and the policy simulator.
func conformanceIAM(t *testing.T, member *awsRunner) {
	var caller struct{ Account string }
	member.must(&caller, "sts", "get-caller-identity")
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, caller.Account)

	var role struct {
		Role struct{ Arn, RoleName string }
	}
	member.must(&role, "iam", "create-role", "--role-name", "deploy", "--assume-role-policy-document", trust)
	if want := "arn:aws:iam::" + caller.Account + ":role/deploy"; role.Role.Arn != want {
		t.Errorf("create-role Arn = %s, want %s", role.Role.Arn, want)
	}
	member.mustFail("EntityAlreadyExists", "iam", "create-role", "--role-name", "DEPLOY", "--assume-role-policy-document", trust)

	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	member.must(nil, "iam", "put-role-policy", "--role-name", "deploy", "--policy-name", "read", "--policy-document", inline)
	var policyNames struct{ PolicyNames []string }
	member.must(&policyNames, "iam", "list-role-policies", "--role-name", "deploy")
	if !slices.Equal(policyNames.PolicyNames, []string{"read"}) {
		t.Errorf("list-role-policies = %v, want [read]", policyNames.PolicyNames)
	}

	document := func(action string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
	}
	var policy struct{ Policy struct{ Arn string } }
	member.must(&policy, "iam", "create-policy", "--policy-name", "deploy-managed", "--policy-document", document("sqs:ListQueues"))
	for i := 2; i <= 5; i++ {
		member.must(nil, "iam", "create-policy-version", "--policy-arn", policy.Policy.Arn,
			"--policy-document", document(fmt.Sprintf("sqs:ListQueueTags%d", i)), "--set-as-default")
	}
	member.mustFail("LimitExceeded", "iam", "create-policy-version", "--policy-arn", policy.Policy.Arn,
		"--policy-document", document("sqs:GetQueueUrl"))
	var versions struct{ Versions []struct{ VersionId string } }
	member.must(&versions, "iam", "list-policy-versions", "--policy-arn", policy.Policy.Arn)
	if len(versions.Versions) != 5 {
		t.Errorf("list-policy-versions has %d versions, want 5", len(versions.Versions))
	}

	var details struct {
		RoleDetailList []struct {
			RoleName       string
			RolePolicyList []struct{ PolicyName string }
		}
		Policies []struct {
			PolicyName        string
			PolicyVersionList []struct{ VersionId string }
		}
	}
	member.must(&details, "iam", "get-account-authorization-details", "--filter", "Role", "LocalManagedPolicy")
	deployFound := false
	for _, r := range details.RoleDetailList {
		if r.RoleName != "deploy" {
			continue
		}
		deployFound = true
		if len(r.RolePolicyList) != 1 || r.RolePolicyList[0].PolicyName != "read" {
			t.Errorf("get-account-authorization-details role deploy has inline policies %+v, want [read]", r.RolePolicyList)
		}
	}
	if !deployFound {
		t.Errorf("get-account-authorization-details lists no role deploy: %+v", details.RoleDetailList)
	}
	if len(details.Policies) != 1 || len(details.Policies[0].PolicyVersionList) != 5 {
		t.Errorf("get-account-authorization-details policies = %+v, want deploy-managed with 5 versions", details.Policies)
	}

	var simulation struct {
		EvaluationResults []struct{ EvalActionName, EvalDecision string }
	}
	member.must(&simulation, "iam", "simulate-principal-policy", "--policy-source-arn", role.Role.Arn,
		"--action-names", "s3:GetObject", "iam:CreateUser")
	decisions := map[string]string{}
	for _, r := range simulation.EvaluationResults {
		decisions[r.EvalActionName] = r.EvalDecision
	}
	if decisions["s3:GetObject"] != "allowed" || decisions["iam:CreateUser"] != "implicitDeny" {
		t.Errorf("simulate-principal-policy decisions = %v, want s3:GetObject allowed and iam:CreateUser implicitDeny", decisions)
	}
}
