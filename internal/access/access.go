// Package access finds out who runs orgstrap and obtains credentials for
// member accounts by assuming their access role, waiting through the
// eventual consistency of brand-new accounts.
package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultAccessRole is the role Organizations creates in a new member
// account; it trusts the management account and has administrator rights.
const DefaultAccessRole = "OrganizationAccountAccessRole"

type stsAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

var _ stsAPI = (*sts.Client)(nil)

// Caller is the identity whose credentials orgstrap runs with.
type Caller struct {
	AccountID string
	// ARN is the identity ARN from GetCallerIdentity, such as
	// arn:aws:sts::123456789012:assumed-role/Admin/alice.
	ARN string
	// PrincipalARN is the IAM ARN a trust policy names for this caller: the
	// user, the role of an assumed-role session, or the account root.
	PrincipalARN string
}

// Identify calls GetCallerIdentity.
func Identify(ctx context.Context, client stsAPI) (Caller, error) {
	// The first call of a run fails fast when the endpoint cannot be
	// reached at all, instead of spending the full retry budget on it.
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.RetryMaxAttempts = 5
	})
	if err != nil {
		return Caller{}, fmt.Errorf("getting caller identity: %w", err)
	}
	c := Caller{AccountID: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	c.PrincipalARN = principalARN(c.ARN)
	return c, nil
}

// principalARN maps an STS identity ARN to the IAM principal ARN.
// NOTE: an assumed-role ARN omits the role's path, so a role created with
// a path other than / yields an ARN that IAM will not match.
func principalARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return arn
	}
	partition, account, resource := parts[1], parts[4], parts[5]
	if rest, ok := strings.CutPrefix(resource, "assumed-role/"); ok {
		role, _, _ := strings.Cut(rest, "/")
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, role)
	}
	if resource == "root" {
		return fmt.Sprintf("arn:%s:iam::%s:root", partition, account)
	}
	return arn
}

// NewAccountCodes are the errors a brand-new account's services return
// for a while after creation, with credentials that work: IAM has not seen
// the session yet, or the account's service subscriptions are still being
// activated.
var NewAccountCodes = map[string]bool{
	"AccessDenied": true, "InvalidClientTokenId": true, "AccessDeniedException": true,
	"SubscriptionRequiredException": true, "OptInRequired": true,
}

// RetryNewAccount runs fn until it succeeds, fails with an error outside
// NewAccountCodes, or timeout passes, pacing attempts with backoff and
// reporting each wait to waiting.
// NOTE: a service control policy that denies the call also returns
// AccessDenied, and is reported only once timeout has passed.
func RetryNewAccount(ctx context.Context, timeout time.Duration, backoff Backoff, waiting func(string), what string, fn func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		code := ErrorCode(err)
		if err == nil || !NewAccountCodes[code] || time.Now().After(deadline) {
			return err
		}
		delay := backoff.Next()
		if waiting != nil {
			waiting(fmt.Sprintf("waiting %s before %s again (%s: new accounts take a while to become usable)",
				delay.Round(100*time.Millisecond), what, code))
		}
		if err := Sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// Assumer obtains credentials for member accounts.
type Assumer struct {
	STS  stsAPI
	Base aws.Config
	// Partition of the ARNs built, "aws" when empty.
	Partition string
	// Timeout bounds the wait for a new account's role to become usable.
	Timeout time.Duration
	// Backoff paces the attempts; zero values mean 1 s up to 10 s.
	Backoff Backoff
	// Waiting is called before each retry with what is awaited.
	Waiting func(message string)
}

// consistencyCodes are the errors AssumeRole returns while a new account's
// role or a new trust policy has not reached STS yet.
var consistencyCodes = map[string]bool{
	"AccessDenied": true, "InvalidClientTokenId": true, "AccessDeniedException": true,
}

// Assume assumes roleName in accountID and returns a config using the
// session's credentials. AccessDenied and InvalidClientTokenId are retried
// until Timeout because AWS returns them for a while after an account is
// created; other errors return at once.
func (a *Assumer) Assume(ctx context.Context, accountID, roleName, sessionName string) (aws.Config, error) {
	partition := a.Partition
	if partition == "" {
		partition = "aws"
	}
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, roleName)
	backoff := a.Backoff
	if backoff.Initial == 0 {
		backoff = Backoff{Initial: time.Second, Max: 10 * time.Second}
	}
	timeout := a.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	deadline := time.Now().Add(timeout)

	for {
		out, err := a.STS.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String(sessionName),
		})
		if err == nil {
			return a.configFor(out), nil
		}
		code := ErrorCode(err)
		if !consistencyCodes[code] || time.Now().After(deadline) {
			return aws.Config{}, fmt.Errorf("assuming %s: %w", roleARN, err)
		}
		delay := backoff.Next()
		if a.Waiting != nil {
			a.Waiting(fmt.Sprintf("waiting %s for %s to become assumable (%s; new accounts and roles take a while to reach STS)",
				delay.Round(100*time.Millisecond), roleARN, code))
		}
		if err := Sleep(ctx, delay); err != nil {
			return aws.Config{}, fmt.Errorf("assuming %s: %w", roleARN, err)
		}
	}
}

func (a *Assumer) configFor(out *sts.AssumeRoleOutput) aws.Config {
	cfg := a.Base.Copy()
	c := out.Credentials
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	return cfg
}
