package deployrole

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// readFixture is a sandbox account whose deploy role and policies match d.
type readFixture struct {
	sb     *sandbox.Sandbox
	iam    *iam.Client
	client *Client
	d      *Desired
}

func parseTestDocument(t *testing.T, text string) *policy.Document {
	t.Helper()
	doc, err := policy.ParseDocument([]byte(text))
	if err != nil {
		t.Fatalf("parsing %s: %v", text, err)
	}
	return doc
}

func newReadFixture(t *testing.T) *readFixture {
	t.Helper()
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	account := sb.ManagementAccountID()
	f := &readFixture{sb: sb, iam: iam.NewFromConfig(cfg)}
	f.client = New(f.iam)
	f.d = &Desired{
		AccountID:   account,
		Environment: "prod",
		Roles: []RoleSpec{{
			Name: "orgstrap-deploy",
			Trust: parseTestDocument(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"sts:AssumeRole"}]}`),
			MaxSessionDuration: time.Hour,
			Policies:           []string{"orgstrap-prod-deploy"},
			Boundary:           "orgstrap-prod-boundary",
		}},
		Policies: []Policy{
			{Name: "orgstrap-prod-deploy", Document: parseTestDocument(t,
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)},
			{Name: "orgstrap-prod-boundary", Boundary: true, Document: parseTestDocument(t,
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)},
		},
		OwnedPrefixes: []string{"orgstrap-prod-"},
		Digest:        "d1",
	}
	if steps := f.apply(t); len(steps) == 0 {
		t.Fatal("first apply made no changes")
	}
	return f
}

// steps reads the account and returns its planned changes as
// "kind action target: reason".
func (f *readFixture) steps(t *testing.T) ([]Step, []string) {
	t.Helper()
	ctx := context.Background()
	o, err := f.client.Read(ctx, f.d)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	steps, err := f.client.Steps(f.d, o)
	if err != nil {
		t.Fatalf("Steps: %v", err)
	}
	var changes []string
	for _, s := range steps {
		c := s.Change
		changes = append(changes, string(c.Kind)+" "+string(c.Action)+" "+c.Target+": "+c.Reason)
	}
	return steps, changes
}

// apply runs the planned steps and returns them.
func (f *readFixture) apply(t *testing.T) []Step {
	t.Helper()
	steps, _ := f.steps(t)
	for _, s := range steps {
		if err := s.Do(context.Background()); err != nil {
			t.Fatalf("%s %s: %v", s.Change.Kind, s.Change.Target, err)
		}
	}
	return steps
}

func TestReadConvergedMakesTwoCalls(t *testing.T) {
	f := newReadFixture(t)
	f.sb.ResetCalls()
	if _, changes := f.steps(t); len(changes) != 0 {
		t.Fatalf("converged account plans changes: %v", changes)
	}
	calls := f.sb.Calls()
	want := map[string]int{"iam:GetAccountAuthorizationDetails": 1, "iam:ListRoles": 1}
	if len(calls) != len(want) {
		t.Errorf("calls: got %v, want %v", calls, want)
	}
	for call, n := range want {
		if calls[call] != n {
			t.Errorf("%s: got %d calls, want %d", call, calls[call], n)
		}
	}
}

func TestReadDetectsOutsideChanges(t *testing.T) {
	const role = "orgstrap-deploy"
	tests := []struct {
		name   string
		change func(ctx context.Context, f *readFixture) error
		want   string // the start of one planned change
	}{
		{
			name: "max session duration",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(role), MaxSessionDuration: aws.Int32(7200)})
				return err
			},
			want: "role update " + role + ": max session duration is 2h0m0s, want 1h0m0s",
		},
		{
			name: "trust policy",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
						`"Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`)})
				return err
			},
			want: "trust-policy update " + role,
		},
		{
			name: "boundary removed",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)})
				return err
			},
			want: "boundary update " + role + ": restricted access needs the permissions boundary orgstrap-prod-boundary",
		},
		{
			name: "foreign managed policy",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role),
					PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
				return err
			},
			want: "policy delete arn:aws:iam::aws:policy/AdministratorAccess: attached to role " + role + " outside orgstrap",
		},
		{
			name: "inline policy",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("extra"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
				return err
			},
			want: "policy delete " + role + "/extra: inline policy put on role " + role + " outside orgstrap",
		},
		{
			name: "policy version",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
					PolicyArn: aws.String(f.d.PolicyARN("orgstrap-prod-deploy")), SetAsDefault: true,
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
				})
				return err
			},
			want: "policy update orgstrap-prod-deploy: the document differs",
		},
		{
			name: "digest tag",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(role),
					Tags: []types.Tag{{Key: aws.String(TagDigest), Value: aws.String("d0")}}})
				return err
			},
			want: "tags update " + role + ": record the new digest d1 (was d0)",
		},
		{
			name: "unwanted owned policy",
			change: func(ctx context.Context, f *readFixture) error {
				_, err := f.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("orgstrap-prod-old"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
				return err
			},
			want: "policy delete orgstrap-prod-old: the config and policy library no longer use it",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newReadFixture(t)
			if err := tt.change(context.Background(), f); err != nil {
				t.Fatalf("outside change: %v", err)
			}
			_, changes := f.steps(t)
			found := false
			for _, c := range changes {
				found = found || strings.HasPrefix(c, tt.want)
			}
			if !found {
				t.Errorf("planned changes: got %v, want one starting %q", changes, tt.want)
			}

			f.apply(t)
			if _, changes := f.steps(t); len(changes) != 0 {
				t.Errorf("after the repair: got changes %v, want none", changes)
			}
		})
	}
}

func TestReadKeepsRevocationWithoutChanges(t *testing.T) {
	f := newReadFixture(t)
	cutoff := time.Now().UTC().Truncate(time.Second)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",` +
		`"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff.Format(time.RFC3339) + `"}}}]}`
	if _, err := f.iam.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String("orgstrap-deploy"),
		PolicyName: aws.String(RevokeSessionsPolicy), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}

	if _, changes := f.steps(t); len(changes) != 0 {
		t.Errorf("planned changes: got %v, want none for a revocation policy", changes)
	}
	o, err := f.client.Read(context.Background(), f.d)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if got := o.Roles["orgstrap-deploy"].RevokedBefore; !got.Equal(cutoff) {
		t.Errorf("revoked before: got %s, want %s", got, cutoff)
	}
}
