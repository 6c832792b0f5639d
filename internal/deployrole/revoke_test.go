package deployrole

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestReadKeepsRevocationPolicyOutOfInline(t *testing.T) {
	tests := []struct {
		name       string
		document   string
		wantInline []string
		wantCutoff time.Time
	}{
		{
			name: "deny only",
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],` +
				`"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-12-03T22:00:06Z"}}}]}`,
			wantCutoff: time.Date(2026, 12, 3, 22, 0, 6, 0, time.UTC),
		},
		{
			name: "console form with one statement object",
			document: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*",` +
				`"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2014-05-07T23:47:00Z"}}}}`,
			wantCutoff: time.Date(2014, 5, 7, 23, 47, 0, 0, time.UTC),
		},
		{
			name: "fractional seconds",
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],` +
				`"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-12-03T22:00:06.250Z"}}}]}`,
			wantCutoff: time.Date(2026, 12, 3, 22, 0, 6, 250e6, time.UTC),
		},
		{
			name: "allows something",
			document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
				`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-12-03T22:00:06Z"}}}]}`,
			wantInline: []string{RevokeSessionsPolicy},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, cfg := sandboxtest.Start(t, sandbox.Options{})
			ctx := context.Background()
			client := iam.NewFromConfig(cfg)
			trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
				sb.ManagementAccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
			if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
				t.Fatal(err)
			}
			_, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
				RoleName: aws.String("deploy"), PolicyName: aws.String(RevokeSessionsPolicy), PolicyDocument: aws.String(tt.document),
			})
			if err != nil {
				t.Fatal(err)
			}

			d := &Desired{AccountID: sb.ManagementAccountID(), Roles: []RoleSpec{{Name: "deploy"}}}
			o, err := New(client).Read(ctx, d)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			role := o.Roles["deploy"]
			if role == nil {
				t.Fatalf("Read found no role deploy: %+v", o.Roles)
			}
			if !slices.Equal(role.Inline, tt.wantInline) {
				t.Errorf("inline policies: got %v, want %v", role.Inline, tt.wantInline)
			}
			if !role.RevokedBefore.Equal(tt.wantCutoff) {
				t.Errorf("revoked before: got %s, want %s", role.RevokedBefore, tt.wantCutoff)
			}
		})
	}
}
