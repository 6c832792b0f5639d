package org

import (
	"context"
	"testing"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

func TestRootNamesManagementAccount(t *testing.T) {
	c, sb := newClient(t, sandbox.Options{})
	ctx := context.Background()
	created, err := c.CreateOrganization(ctx)
	if err != nil {
		t.Fatal(err)
	}

	root, err := c.Root(ctx)
	if err != nil {
		t.Fatalf("Root: %v", err)
	}
	if root.Organization == nil {
		t.Fatalf("Root: got no organization from the root's ARN")
	}
	if got, want := root.Organization.ManagementAccountID, sb.ManagementAccountID(); got != want {
		t.Errorf("management account: got %s, want %s", got, want)
	}
	if got, want := root.Organization.ID, created.ID; got != want {
		t.Errorf("organization id: got %s, want %s", got, want)
	}
	if id, err := c.RootID(ctx); err != nil || id != root.ID {
		t.Errorf("RootID: got %q, %v; want %q", id, err, root.ID)
	}
}

func TestOrganizationOfRoot(t *testing.T) {
	tests := []struct {
		name           string
		arn            string
		wantOrg        string
		wantManagement string
	}{
		{"aws partition", "arn:aws:organizations::111111111111:root/o-exampleorgid/r-examplerootid111", "o-exampleorgid", "111111111111"},
		{"china partition", "arn:aws-cn:organizations::222222222222:root/o-abcdefghij/r-ab12", "o-abcdefghij", "222222222222"},
		{"organization ARN", "arn:aws:organizations::111111111111:organization/o-exampleorgid", "", ""},
		{"other service", "arn:aws:iam::111111111111:root/o-exampleorgid/r-examplerootid111", "", ""},
		{"short account", "arn:aws:organizations::1111:root/o-exampleorgid/r-examplerootid111", "", ""},
		{"region set", "arn:aws:organizations:us-east-1:111111111111:root/o-exampleorgid/r-x", "", ""},
		{"missing organization", "arn:aws:organizations::111111111111:root/r-examplerootid111", "", ""},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := organizationOfRoot(tt.arn)
			if tt.wantOrg == "" {
				if got != nil {
					t.Errorf("got %+v, want nil", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("got nil, want organization %s", tt.wantOrg)
			}
			if got.ID != tt.wantOrg {
				t.Errorf("organization: got %s, want %s", got.ID, tt.wantOrg)
			}
			if got.ManagementAccountID != tt.wantManagement {
				t.Errorf("management account: got %s, want %s", got.ManagementAccountID, tt.wantManagement)
			}
		})
	}
}
