package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

const rotateConfig = cliConfig + `trust:
  external_id: first-external-id
`

// startRotateSandbox is startCLISandbox with IAM enforced, so revoked
// sessions and wrong external ids are really denied.
func startRotateSandbox(t *testing.T) (*cliSandbox, aws.Config) {
	t.Helper()
	c, cfg := startCLISandboxWith(t, rotateConfig, sandbox.Options{EnforceIAM: true})
	if _, stderr, err := c.run(t, "apply", "--config", c.config, "--yes"); err != nil {
		t.Fatalf("apply --yes: %v\n%s", err, stderr)
	}
	return c, cfg
}

// devRoleARN returns the ARN of role in the dev account.
func devRoleARN(t *testing.T, cfg aws.Config, role string) string {
	t.Helper()
	out, err := organizations.NewFromConfig(cfg).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	for _, a := range out.Accounts {
		if aws.ToString(a.Name) == "dev" {
			return "arn:aws:iam::" + aws.ToString(a.Id) + ":role/" + role
		}
	}
	t.Fatal("no dev account")
	return ""
}

func assumeWith(cfg aws.Config, roleARN, externalID string) error {
	_, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci"), ExternalId: aws.String(externalID),
	})
	return err
}

var externalIDLine = regexp.MustCompile(`(?m)^dev: new external id: ([0-9a-f]{40})$`)

func TestRotateThroughCLI(t *testing.T) {
	c, cfg := startRotateSandbox(t)
	arn := devRoleARN(t, cfg, "orgstrap-deploy")

	c.sb.ResetCalls()
	if _, _, err := c.run(t, "rotate", "--config", c.config); err == nil || !strings.Contains(Hint(err), "--yes") {
		t.Errorf("rotate without --yes on a non-terminal: got %v (hint %q), want a hint to pass --yes", err, Hint(err))
	}
	if calls := mutatingCalls(c.sb.Calls()); len(calls) != 0 {
		t.Errorf("unconfirmed rotate made mutating calls: %v", calls)
	}
	if _, _, err := c.run(t, "rotate", "--config", c.config, "--yes", "staging"); err == nil || !strings.Contains(err.Error(), `"staging"`) {
		t.Errorf("rotate of an unknown environment: got %v, want an error naming it", err)
	}

	out, stderr, err := c.run(t, "rotate", "--config", c.config, "--yes")
	if err != nil {
		t.Fatalf("rotate --yes: %v\n%s", err, stderr)
	}
	m := externalIDLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rotate printed no new external id on stdout:\n%s", out)
	}
	newID := m[1]
	if strings.Contains(stderr, newID) {
		t.Errorf("stderr shows the new external id:\n%s", stderr)
	}
	if !strings.Contains(stderr, "secret store") {
		t.Errorf("stderr does not say where to store the external id:\n%s", stderr)
	}
	if err := assumeWith(cfg, arn, "first-external-id"); err == nil {
		t.Errorf("AssumeRole with the old external id succeeded after rotate")
	}
	if err := assumeWith(cfg, arn, newID); err != nil {
		t.Errorf("AssumeRole with the new external id: %v", err)
	}

	out, _, err = c.run(t, "status", "--config", c.config, "--max-age", "1h")
	if err != nil {
		t.Errorf("status --max-age 1h right after rotating: %v", err)
	}
	if !strings.Contains(out, "dev: deploy role orgstrap-deploy (generation 1) last rotated") {
		t.Errorf("status does not show the rotation:\n%s", out)
	}
	time.Sleep(10 * time.Millisecond)
	_, _, err = c.run(t, "status", "--config", c.config, "--max-age", "5ms")
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("status --max-age 5ms: got %v, want exit status 1", err)
	}
	if !strings.Contains(err.Error(), "dev role orgstrap-deploy") {
		t.Errorf("status --max-age error does not name the role: %v", err)
	}
}

func TestRotateReplaceFinishThroughCLI(t *testing.T) {
	c, cfg := startRotateSandbox(t)
	oldARN := devRoleARN(t, cfg, "orgstrap-deploy")
	newARN := devRoleARN(t, cfg, "orgstrap-deploy-g2")

	out, stderr, err := c.run(t, "rotate", "--config", c.config, "--replace", "--yes", "--output", "json")
	if err != nil {
		t.Fatalf("rotate --replace: %v\n%s", err, stderr)
	}
	var reps []struct {
		OldRoleARN string `json:"old_role_arn"`
		NewRoleARN string `json:"new_role_arn"`
		ExternalID string `json:"external_id"`
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatalf("rotate --replace JSON: %v\n%s", err, out)
	}
	if len(reps) != 1 || reps[0].OldRoleARN != oldARN || reps[0].NewRoleARN != newARN || reps[0].ExternalID == "" {
		t.Fatalf("rotate --replace JSON: got %+v, want %s replaced by %s with an external id", reps, oldARN, newARN)
	}
	profiles, err := os.ReadFile(filepath.Join(c.dir, "aws-config"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(profiles), "role_arn = "+newARN) {
		t.Errorf("the AWS CLI profile does not point at the new role:\n%s", profiles)
	}
	if out, _, err := c.run(t, "status", "--config", c.config); err != nil || !strings.Contains(out, "replaces orgstrap-deploy") {
		t.Errorf("status during a replacement: got %v, output:\n%s", err, out)
	}

	out, stderr, err = c.run(t, "rotate", "--config", c.config, "--finish", "--yes")
	if err != nil {
		t.Fatalf("rotate --finish: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "dev: deleted "+oldARN) {
		t.Errorf("rotate --finish output:\n%s", out)
	}
	if err := assumeWith(cfg, oldARN, "first-external-id"); err == nil {
		t.Errorf("AssumeRole of the deleted role succeeded")
	}
	if err := assumeWith(cfg, newARN, reps[0].ExternalID); err != nil {
		t.Errorf("AssumeRole of the new role: %v", err)
	}
	if _, _, err := c.run(t, "plan", "--config", c.config, "--detailed-exitcode"); err != nil {
		t.Errorf("plan --detailed-exitcode after --finish: got %v, want no changes", err)
	}
}
