package sandbox_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// TestUnsignedWebIdentityRouting checks that AssumeRoleWithWebIdentity,
// which the SDK sends without a signature, reaches STS.
func TestUnsignedWebIdentityRouting(t *testing.T) {
	ctx := context.Background()
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	account := sb.ManagementAccountID()
	iamClient := iam.NewFromConfig(cfg)

	provider, err := iamClient.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList:   []string{"sts.amazonaws.com"},
		ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"},
	})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider: %v", err)
	}
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity",`+
		`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`,
		aws.ToString(provider.OpenIDConnectProviderArn))
	if _, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("github"), AssumeRolePolicyDocument: &trust,
	}); err != nil {
		t.Fatalf("CreateRole: %v", err)
	}

	segment := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	token := segment(`{"alg":"RS256"}`) + "." + segment(fmt.Sprintf(
		`{"iss":"https://token.actions.githubusercontent.com","aud":"sts.amazonaws.com",`+
			`"sub":"repo:example/app:ref:refs/heads/main","exp":%d}`, time.Now().Add(time.Hour).Unix())) + ".c2ln"

	// No credentials at all: the SDK signs nothing for this operation.
	anonymous := sandboxtest.Config(aws.ToString(cfg.BaseEndpoint), "", "", "")
	anonymous.Credentials = nil
	out, err := sts.NewFromConfig(noRetry(anonymous)).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String("arn:aws:iam::" + account + ":role/github"),
		RoleSessionName:  aws.String("ci"),
		WebIdentityToken: &token,
	})
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	if out.Credentials == nil || aws.ToString(out.Credentials.SessionToken) == "" {
		t.Fatalf("AssumeRoleWithWebIdentity returned no session credentials")
	}
	if n := sb.Calls()["sts:AssumeRoleWithWebIdentity"]; n != 1 {
		t.Errorf("Calls()[sts:AssumeRoleWithWebIdentity] = %d, want 1", n)
	}
}
