package sandbox_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// BenchmarkDescribeOrganization measures one signed JSON 1.1 round trip
// through the SDK: signing, HTTP on loopback, verification and encoding.
func BenchmarkDescribeOrganization(b *testing.B) {
	ctx := context.Background()
	_, cfg := sandboxtest.Start(b, sandbox.Options{})
	client := organizations.NewFromConfig(cfg)
	if _, err := client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetCallerIdentity measures one signed Query round trip.
func BenchmarkGetCallerIdentity(b *testing.B) {
	ctx := context.Background()
	_, cfg := sandboxtest.Start(b, sandbox.Options{})
	client := sts.NewFromConfig(cfg)
	for b.Loop() {
		if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			b.Fatal(err)
		}
	}
}
