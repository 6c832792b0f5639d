package deployrole

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestVerifyReportsDeniedCalls(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	ctx := context.Background()
	client := iam.NewFromConfig(cfg)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		sb.ManagementAccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
	role, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}

	calls := []Call{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"},
		{Action: "iam:CreateRole", Resource: "arn:aws:iam::" + sb.ManagementAccountID() + ":role/x"},
	}
	v, err := New(client).Verify(ctx, aws.ToString(role.Role.Arn), calls)
	var denied *DeniedError
	if !errors.As(err, &denied) {
		t.Fatalf("Verify: got %v, want a DeniedError", err)
	}
	if len(denied.Denied) != 1 || denied.Denied[0].Call.Action != "iam:CreateRole" {
		t.Errorf("denied: got %+v, want only iam:CreateRole", denied.Denied)
	}
	if v.Checked != 2 {
		t.Errorf("checked: got %d, want 2", v.Checked)
	}
	if access.Fix(err) == "" {
		t.Errorf("denied error carries no fix")
	}

	if _, err := New(client).Verify(ctx, aws.ToString(role.Role.Arn), calls[:1]); err != nil {
		t.Errorf("Verify of an allowed call: %v", err)
	}
}

func TestVerifySkipsWithoutSimulatePermission(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{EnforceIAM: true})
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg)
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	reader := iam.NewFromConfig(sandboxtest.Config(aws.ToString(cfg.BaseEndpoint),
		aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))

	v, err := New(reader).Verify(ctx, "arn:aws:iam::123456789012:role/deploy", []Call{{Action: "s3:GetObject", Resource: "*"}})
	if err != nil {
		t.Fatalf("Verify: got %v, want the check skipped", err)
	}
	if !strings.Contains(v.Skipped, "AccessDenied") {
		t.Errorf("skipped: got %q, want the AccessDenied reason", v.Skipped)
	}
}
