package policy

import "testing"

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern string
		action  string
		want    bool
	}{
		{"*", "iam:CreateRole", true},
		{"iam:*", "iam:CreateRole", true},
		{"iam:CreateRole", "iam:createrole", true},
		{"IAM:CreateRole", "iam:CreateRole", true},
		{"iam:Create*", "iam:CreateRole", true},
		{"iam:Create*", "iam:DeleteRole", false},
		{"iam:*Role", "iam:PassRole", true},
		{"iam:*Role", "iam:PassRoles", false},
		{"s3:Get*Acl", "s3:GetObjectAcl", true},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:GetObjject", false},
		{"s3:*", "s3express:CreateSession", false},
		{"s3*:*", "s3express:CreateSession", true},
		{"iam:CreateRole", "iam:CreateRolePolicy", false},
		{"iam:**", "iam:X", true},
		{"", "iam:X", false},
		{"iam:", "iam:", true},
	}
	for _, tt := range tests {
		if got := MatchAction(tt.pattern, tt.action); got != tt.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestMatchARN(t *testing.T) {
	tests := []struct {
		pattern string
		arn     string
		want    bool
	}{
		{"*", "arn:aws:s3:::b", true},
		{"*", "*", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::B", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::bucket/key", true},
		{"arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/alice", true},
		{"arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/sales/alice", false},
		{"arn:aws:iam::*:role/app-?", "arn:aws:iam::123456789012:role/app-1", true},
		{"arn:aws:iam::*:role/app-?", "arn:aws:iam::123456789012:role/app-12", false},
		// A "*" that ends a segment runs past colons.
		{"arn:aws:logs:*:*:log-group:/aws/lambda/app-*", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app-fn:log-stream:x", true},
		{"arn:aws:iam::*", "arn:aws:iam::123456789012:role/x", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:app-*", "arn:aws:lambda:us-east-1:123456789012:function:app-fn:live", true},
		// A "*" inside a segment stops at the colon.
		{"arn:aws:logs:us-*-1:123456789012:log-group:x", "arn:aws:logs:us-east:extra-1:123456789012:log-group:x", false},
		{"arn:aws:lambda:*:123456789012:function:a*b", "arn:aws:lambda:us-east-1:123456789012:function:a:b", false},
		{"arn:aws:lambda:*:123456789012:function:a*b", "arn:aws:lambda:us-east-1:123456789012:function:axxb", true},
		{"arn:aws:dynamodb:*:*:table/Books*", "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByAuthor", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/é", true},
		{"arn:aws:s3:::b/é*", "arn:aws:s3:::b/éa", true},
		{"arn:aws:cloudformation:us-east-1:123456789012:stack/app-dev/*", "arn:aws:cloudformation:us-east-1:123456789012:stack/app-prod/1", false},
	}
	for _, tt := range tests {
		if got := MatchARN(tt.pattern, tt.arn); got != tt.want {
			t.Errorf("MatchARN(%q, %q) = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
}

// TestMatchSegmentsAgreesWithGlob checks the dynamic-programming matcher
// against the greedy one on patterns where both rules agree: every "*"
// ends a segment, so both may cross colons.
func TestMatchSegmentsAgreesWithGlob(t *testing.T) {
	patterns := []string{"arn:*", "arn:aws:s3:::b/*", "a?c:*", "*:*:*", "arn:aws:iam::?*:role/x*"}
	values := []string{"arn:aws:s3:::b/k", "abc:d", "arn:aws:iam::1:role/xy", "::", "", "arn"}
	for _, p := range patterns {
		for _, v := range values {
			greedy := matchGlob(p, nil, v, false)
			dynamic := matchSegments(patternOf(p), v)
			if dynamic != greedy {
				t.Errorf("matchSegments(%q, %q) = %v, want %v as matchGlob", p, v, dynamic, greedy)
			}
		}
	}
}
