package org

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/access"
)

// Creation is an account creation request.
type Creation struct {
	RequestID   string
	AccountName string
	AccountID   string // set once SUCCEEDED
	State       string // IN_PROGRESS, SUCCEEDED or FAILED
	Reason      string // FailureReason when FAILED
}

// InProgress lists account creations still running, such as those a
// crashed earlier run submitted, so that a re-run waits for them instead
// of creating a second account.
func (c *Client) InProgress(ctx context.Context) ([]Creation, error) {
	var list []Creation
	p := organizations.NewListCreateAccountStatusPaginator(c.api, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateInProgress},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, access.ExplainDenied(fmt.Errorf("listing account creations: %w", err), "the caller")
		}
		for _, s := range page.CreateAccountStatuses {
			list = append(list, toCreation(&s))
		}
	}
	return list, nil
}

func toCreation(s *types.CreateAccountStatus) Creation {
	return Creation{
		RequestID: aws.ToString(s.Id), AccountName: aws.ToString(s.AccountName), AccountID: aws.ToString(s.AccountId),
		State: string(s.State), Reason: string(s.FailureReason),
	}
}

// AccountRequest holds the CreateAccount inputs orgstrap sets.
type AccountRequest struct {
	Name  string
	Email string
	Tags  map[string]string
}

// Submit starts an account creation and returns its request id.
func (c *Client) Submit(ctx context.Context, req AccountRequest) (string, error) {
	out, err := c.api.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(req.Name), Email: aws.String(req.Email), Tags: toTags(req.Tags),
	})
	if err != nil {
		err = fmt.Errorf("creating account %s: %w", req.Name, err)
		return "", explainConstraint(access.ExplainDenied(err, "the caller"))
	}
	return aws.ToString(out.CreateAccountStatus.Id), nil
}

// Wait polls a creation request until it leaves IN_PROGRESS, with
// backoff and jitter, and returns the final status. poll is called after
// each IN_PROGRESS status.
func (c *Client) Wait(ctx context.Context, requestID string, backoff access.Backoff, poll func(Creation)) (Creation, error) {
	for {
		out, err := c.api.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{
			CreateAccountRequestId: aws.String(requestID),
		})
		if err != nil {
			return Creation{}, fmt.Errorf("checking account creation %s: %w", requestID, err)
		}
		status := toCreation(out.CreateAccountStatus)
		if status.State != string(types.CreateAccountStateInProgress) {
			return status, nil
		}
		if poll != nil {
			poll(status)
		}
		if err := access.Sleep(ctx, backoff.Next()); err != nil {
			return Creation{}, fmt.Errorf("waiting for account creation %s: %w", requestID, err)
		}
	}
}

// CreationError is a FAILED account creation.
type CreationError struct {
	AccountName string
	Email       string
	Reason      string
}

func (e *CreationError) Error() string {
	return fmt.Sprintf("creating account %s: failed with %s", e.AccountName, e.Reason)
}

// Transient reports whether submitting again may succeed.
func (e *CreationError) Transient() bool {
	return e.Reason == "CONCURRENT_ACCOUNT_MODIFICATION" || e.Reason == "INTERNAL_FAILURE"
}

// Failed returns the error for a FAILED creation, with the fix for each
// FailureReason AWS documents. Unknown reasons, which the documentation
// spells differently from the SDK in places, get a generic fix.
func Failed(req AccountRequest, status Creation) error {
	err := &CreationError{AccountName: req.Name, Email: req.Email, Reason: status.Reason}
	return access.WithFix(err, failureFix(req, status.Reason))
}

func failureFix(req AccountRequest, reason string) string {
	switch reason {
	case "ACCOUNT_LIMIT_EXCEEDED":
		return constraintFixes["ACCOUNT_NUMBER_LIMIT_EXCEEDED"]
	case "EMAIL_ALREADY_EXISTS":
		return fmt.Sprintf("an AWS account already uses %s (emails are unique across AWS, closed accounts included): choose another email for this environment in orgstrap.yaml", req.Email)
	case "INVALID_EMAIL", "INVALID_ADDRESS":
		return fmt.Sprintf("AWS rejected %s or the management account's address: correct the email in orgstrap.yaml and the contact address in the billing console", req.Email)
	case "GOVCLOUD_ACCOUNT_ALREADY_EXISTS":
		return "a GovCloud account is already linked to this account: use another email"
	case "MISSING_BUSINESS_VALIDATION", "FAILED_BUSINESS_VALIDATION", "UNKNOWN_BUSINESS_VALIDATION", "INVALID_IDENTITY_FOR_BUSINESS_VALIDATION":
		return "AWS has not validated the management account's business details: complete them in the billing console or contact AWS Support"
	case "PENDING_BUSINESS_VALIDATION":
		return "AWS is still validating the management account: wait until it finishes, then run apply again"
	case "MISSING_PAYMENT_INSTRUMENT", "INVALID_PAYMENT_INSTRUMENT":
		return "add a valid payment method to the management account in the billing console, then run apply again"
	case "CONCURRENT_ACCOUNT_MODIFICATION", "INTERNAL_FAILURE":
		return "AWS kept failing transiently: run apply again in a few minutes"
	case "UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED":
		return "the organization's resource policy blocks tagging during creation: remove its tag conditions or contact AWS Support"
	}
	return fmt.Sprintf("AWS reported %q: look the reason up in the CreateAccountStatus documentation and run apply again once resolved", reason)
}

// Attempts paces CreateAccount: at most Max submissions, Resubmit between
// them, and Poll between status checks of one submission.
type Attempts struct {
	Max      int
	Resubmit access.Backoff
	Poll     access.Backoff
}

// CreateAccount submits an account creation and waits for it, submitting again
// with backoff while AWS reports CONCURRENT_ACCOUNT_MODIFICATION or
// INTERNAL_FAILURE (at most attempts.Max times). It returns the new account id.
func (c *Client) CreateAccount(ctx context.Context, req AccountRequest, attempts Attempts, report func(string)) (string, error) {
	retry, poll := attempts.Resubmit, attempts.Poll
	for attempt := 1; ; attempt++ {
		id, err := c.Submit(ctx, req)
		if err != nil {
			return "", err
		}
		if report != nil {
			report(fmt.Sprintf("submitted creation of account %s (request %s)", req.Name, id))
		}
		accountID, err := c.Finish(ctx, req, id, poll, report)
		if isReason(err, "EMAIL_ALREADY_EXISTS") {
			if recovered, ok, rerr := c.recoverDuplicate(ctx, req, poll, report); rerr != nil || ok {
				return recovered, rerr
			}
		}
		var failed *CreationError
		if err == nil || !errors.As(err, &failed) || !failed.Transient() || attempt >= attempts.Max {
			return accountID, err
		}
		delay := retry.Next()
		if report != nil {
			report(fmt.Sprintf("account creation failed with %s; submitting again in %s", failed.Reason, delay.Round(time.Millisecond)))
		}
		if err := access.Sleep(ctx, delay); err != nil {
			return "", err
		}
	}
}

func isReason(err error, reason string) bool {
	var failed *CreationError
	return errors.As(err, &failed) && failed.Reason == reason
}

// recoverDuplicate handles EMAIL_ALREADY_EXISTS caused by orgstrap itself:
// a run interrupted while its CreateAccount call was in flight can have its
// request land after the next run's discovery, so the next run submits the
// same email again. When a creation of the same account name is still
// running, it waits for that one. When an account of the organization has
// the email and carries every tag of req, it returns that account. ok is
// false when neither holds and the email belongs to someone else.
func (c *Client) recoverDuplicate(ctx context.Context, req AccountRequest, poll access.Backoff, report func(string)) (id string, ok bool, err error) {
	if len(req.Tags) == 0 {
		return "", false, nil
	}
	running, err := c.InProgress(ctx)
	if err != nil {
		return "", false, err
	}
	for _, creation := range running {
		if creation.AccountName == req.Name {
			if report != nil {
				report(fmt.Sprintf("an earlier creation of account %s is still running (request %s); waiting for it", req.Name, creation.RequestID))
			}
			id, err := c.Finish(ctx, req, creation.RequestID, poll, report)
			return id, err == nil, err
		}
	}
	accounts, err := c.Accounts(ctx)
	if err != nil {
		return "", false, err
	}
	for _, a := range accounts {
		if !strings.EqualFold(a.Email, req.Email) {
			continue
		}
		tags, err := c.Tags(ctx, a.ID)
		if err != nil {
			return "", false, err
		}
		for key, value := range req.Tags {
			if tags[key] != value {
				return "", false, nil
			}
		}
		if report != nil {
			report(fmt.Sprintf("account %s (%s) with %s was created by an earlier run; using it", a.Name, a.ID, req.Email))
		}
		return a.ID, true, nil
	}
	return "", false, nil
}

// Finish waits for a submitted creation and returns the account id.
func (c *Client) Finish(ctx context.Context, req AccountRequest, requestID string, poll access.Backoff, report func(string)) (string, error) {
	status, err := c.Wait(ctx, requestID, poll, func(s Creation) {
		if report != nil {
			report(fmt.Sprintf("account %s is still being created", req.Name))
		}
	})
	if err != nil {
		return "", err
	}
	if status.State != string(types.CreateAccountStateSucceeded) {
		return "", Failed(req, status)
	}
	return status.AccountID, nil
}
