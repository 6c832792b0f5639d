package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// countThrottled makes n DescribeOrganization and n GetCallerIdentity calls
// without retries and returns how many of each were throttled.
func countThrottled(t *testing.T, opts sandbox.Options, n int) (orgsThrottled, stsThrottled int) {
	t.Helper()
	ctx := context.Background()
	_, cfg := sandboxtest.Start(t, opts)
	cfg = noRetry(cfg)
	orgs := organizations.NewFromConfig(cfg)
	stsClient := sts.NewFromConfig(cfg)
	for range n {
		_, err := orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		var throttled *types.TooManyRequestsException
		switch {
		case errors.As(err, &throttled):
			orgsThrottled++
		default:
			wantAPIError(t, err, "AWSOrganizationsNotInUseException")
		}

		_, err = stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			wantAPIError(t, err, "Throttling")
			stsThrottled++
		}
	}
	return orgsThrottled, stsThrottled
}

func TestThrottleRate(t *testing.T) {
	const n = 400
	orgs, stsCount := countThrottled(t, sandbox.Options{ThrottleRate: 0.25, Seed: 7}, n)
	// With p = 0.25 and n = 400 the standard deviation is about 8.7, so
	// 60 to 140 is beyond four and a half of them.
	for name, got := range map[string]int{"organizations": orgs, "sts": stsCount} {
		if got < 60 || got > 140 {
			t.Errorf("%s: %d of %d requests throttled, want about %d", name, got, n, n/4)
		}
	}

	again, againSTS := countThrottled(t, sandbox.Options{ThrottleRate: 0.25, Seed: 7}, n)
	if again != orgs || againSTS != stsCount {
		t.Errorf("same seed throttled %d and %d requests, first run %d and %d", again, againSTS, orgs, stsCount)
	}

	none, noneSTS := countThrottled(t, sandbox.Options{}, 50)
	if none != 0 || noneSTS != 0 {
		t.Errorf("throttle rate 0 throttled %d and %d requests, want none", none, noneSTS)
	}
	all, allSTS := countThrottled(t, sandbox.Options{ThrottleRate: 1}, 20)
	if all != 20 || allSTS != 20 {
		t.Errorf("throttle rate 1 throttled %d and %d of 20 requests, want all", all, allSTS)
	}
}

func TestThrottledRequestsAreRetried(t *testing.T) {
	// The SDK's standard retryer treats TooManyRequestsException as a
	// throttling error, so at a modest rate every call succeeds.
	sb, cfg := sandboxtest.Start(t, sandbox.Options{ThrottleRate: 0.2, Seed: 3})
	client := organizations.NewFromConfig(cfg)
	if _, err := client.CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	for i := range 20 {
		if _, err := client.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{}); err != nil {
			t.Fatalf("DescribeOrganization %d: %v", i, err)
		}
	}
	if got := sb.Calls()["organizations:DescribeOrganization"]; got <= 20 {
		t.Errorf("DescribeOrganization received %d requests, want more than 20 with retries", got)
	}
}

func TestCallCounts(t *testing.T) {
	sb, cfg := sandboxtest.Start(t, sandbox.Options{})
	ctx := context.Background()
	client := organizations.NewFromConfig(cfg)
	client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})

	want := map[string]int{
		"organizations:CreateOrganization":   1,
		"organizations:DescribeOrganization": 2,
		"sts:GetCallerIdentity":              1,
	}
	got := sb.Calls()
	for key, n := range want {
		if got[key] != n {
			t.Errorf("Calls()[%s] = %d, want %d", key, got[key], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Calls() = %v, want %v", got, want)
	}

	sb.ResetCalls()
	if got := sb.Calls(); len(got) != 0 {
		t.Errorf("Calls() after ResetCalls = %v, want empty", got)
	}
}

// TestConcurrentRequests runs writers and readers of the same state at once;
// under -race it checks that every request and its encoding hold the mutex.
func TestConcurrentRequests(t *testing.T) {
	ctx := context.Background()
	_, cfg, client := startOrg(t, sandbox.Options{})
	root := rootID(t, client)
	iamClient := iam.NewFromConfig(cfg)

	var wg sync.WaitGroup
	errs := make(chan error, 8*20*3)
	for worker := range 8 {
		wg.Go(func() {
			for i := range 20 {
				_, err := client.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &root, Tags: []types.Tag{
					{Key: aws.String(fmt.Sprintf("w%d", worker)), Value: aws.String(fmt.Sprint(i))},
				}})
				errs <- err
				_, err = client.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: &root})
				errs <- err
				_, err = iamClient.ListRoles(ctx, &iam.ListRolesInput{})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent request: %v", err)
		}
	}

	tags, err := client.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: &root})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 8 {
		t.Errorf("root has %d tags, want one per worker (8)", len(tags.Tags))
	}
}
