package tui

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// externalIDConfig is managedConfig with an external id in the trust
// policy, which an in-place rotation replaces.
const externalIDConfig = managedConfig + `trust:
  external_id: first-external-id
`

var shownExternalID = regexp.MustCompile(`(?m)^\S*\s+external id\s+([0-9a-f]{40})\s*$`)

func TestManagedRotateInPlace(t *testing.T) {
	backend, _ := newTestBackend(t, sandbox.Options{EnforceIAM: true})
	applyConfig(t, backend, externalIDConfig)

	d := newDriver(t, backend)
	d.waitFor("orgstrap manages this organization")
	d.keys("down", "enter")
	d.waitFor("(•) in place")
	t.Run("rotate", func(t *testing.T) { requireGolden(t, d.screen()) })
	if strings.Contains(d.m.View(), "finish the replacement") {
		t.Errorf("finish is offered with no replacement pending:\n%s", d.m.View())
	}

	d.key("enter")
	d.waitFor("Rotate these deploy roles?")
	d.key("y")
	view := d.waitFor("Rotated the deploy roles in place")
	t.Run("rotated", func(t *testing.T) { requireGolden(t, d.screen()) })

	ids := shownExternalID.FindAllStringSubmatch(view, -1)
	if len(ids) != 2 {
		t.Fatalf("external ids on screen: got %d, want 2 (dev and prod):\n%s", len(ids), view)
	}
	if !strings.Contains(view, "secret store") {
		t.Errorf("the result does not say to store the external ids:\n%s", view)
	}
	result := d.m.w.rotation
	for i, env := range result.Environments {
		if env.Err != nil {
			t.Fatalf("%s: %v", env.Name, env.Err)
		}
		if got := ids[i][1]; got != env.ExternalID {
			t.Errorf("%s external id on screen: got %s, want %s", env.Name, got, env.ExternalID)
		}
		checkRotatedRole(t, backend, env)
	}
	checkIDsNotWritten(t, d, result)

	d.key("q")
	d.waitFor("not shown again")
	d.key("y")
	if !d.quit {
		t.Errorf("y to the quit question did not quit")
	}
}

// checkRotatedRole checks through the SDK that the environment's role
// has the revocation policy with the cutoff shown, the rotation tag and
// the new external id in its trust policy.
func checkRotatedRole(t *testing.T, b *EngineBackend, env RotatedEnvironment) {
	t.Helper()
	ctx := context.Background()
	client := memberIAM(t, b, env.RoleARN)
	name := env.RoleARN[strings.LastIndex(env.RoleARN, "/")+1:]

	out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String(deployrole.RevokeSessionsPolicy),
	})
	if err != nil {
		t.Fatalf("%s: GetRolePolicy %s: %v", env.Name, deployrole.RevokeSessionsPolicy, err)
	}
	doc := strings.Join(strings.Fields(decodePolicy(t, aws.ToString(out.PolicyDocument))), "")
	cutoff := env.RevokedBefore.UTC().Format(time.RFC3339)
	if !strings.Contains(doc, `"aws:TokenIssueTime":"`+cutoff+`"`) || !strings.Contains(doc, `"Effect":"Deny"`) {
		t.Errorf("%s: %s does not deny sessions issued before %s:\n%s", env.Name, deployrole.RevokeSessionsPolicy, cutoff, doc)
	}

	tags, err := client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("%s: ListRoleTags: %v", env.Name, err)
	}
	var rotatedAt string
	for _, tag := range tags.Tags {
		if aws.ToString(tag.Key) == deployrole.TagRotatedAt {
			rotatedAt = aws.ToString(tag.Value)
		}
	}
	if want := env.RotatedAt.UTC().Format(time.RFC3339); rotatedAt != want {
		t.Errorf("%s: tag %s: got %q, want %q", env.Name, deployrole.TagRotatedAt, rotatedAt, want)
	}

	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("%s: GetRole: %v", env.Name, err)
	}
	trust, err := policy.ParseDocument([]byte(decodePolicy(t, aws.ToString(role.Role.AssumeRolePolicyDocument))))
	if err != nil {
		t.Fatalf("%s: parsing the trust policy: %v", env.Name, err)
	}
	if got := deployrole.ExternalID(trust); got != env.ExternalID {
		t.Errorf("%s: external id in the trust policy: got %q, want the one shown, %q", env.Name, got, env.ExternalID)
	}
}

// checkIDsNotWritten checks that no new external id is in a file of the
// working directory or in the text printed after the wizard exits.
func checkIDsNotWritten(t *testing.T, d *driver, r *RotationResult) {
	t.Helper()
	summary := d.m.SummaryText()
	if !strings.Contains(summary, "shown only in the wizard") {
		t.Errorf("the summary does not say where the external ids were shown:\n%s", summary)
	}
	err := filepath.WalkDir(".", func(path string, entry os.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, env := range r.Environments {
			if strings.Contains(string(data), env.ExternalID) {
				t.Errorf("%s contains the new external id of %s", path, env.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the working directory: %v", err)
	}
	for _, env := range r.Environments {
		if strings.Contains(summary, env.ExternalID) {
			t.Errorf("the summary printed after exit contains the external id of %s", env.Name)
		}
	}
}

func TestManagedRotateReplaceThenFinish(t *testing.T) {
	backend, _ := newTestBackend(t, sandbox.Options{EnforceIAM: true})
	applyConfig(t, backend, managedConfig)

	d := newDriver(t, backend)
	d.waitFor("orgstrap manages this organization")
	d.keys("down", "enter")
	d.waitFor("(•) in place")
	d.key("right")
	d.waitFor("(•) replace (blue/green)")
	d.keys("enter", "y")
	view := d.waitFor("Created and switched")
	if !strings.Contains(view, "role/orgstrap-deploy-g2") {
		t.Errorf("the result does not show the new role:\n%s", view)
	}
	var roles []string
	for _, env := range d.m.w.rotation.Environments {
		if env.Err != nil {
			t.Fatalf("%s: %v", env.Name, env.Err)
		}
		roles = append(roles, env.RoleARN)
		if got := deployRoles(t, memberIAM(t, backend, env.RoleARN)); len(got) != 2 {
			t.Errorf("%s deploy roles after the replacement: got %v, want both generations", env.Name, got)
		}
	}
	d.key("enter")
	if !d.quit {
		t.Errorf("enter on the result without external ids did not quit")
	}

	// A second run finds the pending replacement and offers to finish it.
	d = newDriver(t, backend)
	d.waitFor("orgstrap manages this organization")
	d.keys("down", "enter")
	d.waitFor("(•) finish the replacement")
	t.Run("finish", func(t *testing.T) { requireGolden(t, d.screen()) })
	d.keys("enter", "y")
	d.waitFor("Finished the replacement")
	t.Run("finished", func(t *testing.T) { requireGolden(t, d.screen()) })
	for _, arn := range roles {
		got := deployRoles(t, memberIAM(t, backend, arn))
		if want := []string{"orgstrap-deploy-g2"}; !slices.Equal(got, want) {
			t.Errorf("deploy roles in %s after finishing: got %v, want %v", arn, got, want)
		}
	}
}

// memberIAM returns an IAM client with the access role of the account a
// role ARN is in.
func memberIAM(t *testing.T, b *EngineBackend, roleARN string) *iam.Client {
	t.Helper()
	account := strings.Split(roleARN, ":")[4]
	a := &access.Assumer{STS: sts.NewFromConfig(b.AWS), Base: b.AWS, Timeout: 10 * time.Second,
		Backoff: access.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond}}
	cfg, err := a.Assume(context.Background(), account, access.DefaultAccessRole, "tui-test")
	if err != nil {
		t.Fatalf("assuming the access role of account %s: %v", account, err)
	}
	return iam.NewFromConfig(cfg)
}

// deployRoles lists the roles whose names start with the default deploy
// role's name.
func deployRoles(t *testing.T, client *iam.Client) []string {
	t.Helper()
	out, err := client.ListRoles(context.Background(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatalf("ListRoles: %v", err)
	}
	var names []string
	for _, r := range out.Roles {
		if name := aws.ToString(r.RoleName); strings.HasPrefix(name, config.DefaultRoleName) {
			names = append(names, name)
		}
	}
	return names
}

// decodePolicy undoes the URL encoding IAM returns policy documents in.
func decodePolicy(t *testing.T, encoded string) string {
	t.Helper()
	text, err := url.QueryUnescape(encoded)
	if err != nil {
		t.Fatalf("decoding a policy document: %v", err)
	}
	return text
}
