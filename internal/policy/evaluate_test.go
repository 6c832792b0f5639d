package policy

import (
	"strings"
	"testing"
)

// outcome is the part of an Evaluation a table compares; Reason is checked
// separately for the words that matter.
type outcome struct {
	Decision  Decision
	Policy    string
	Statement int
	Sid       string
	Boundary  bool
}

func outcomeOf(e Evaluation) outcome {
	return outcome{e.Decision, e.Policy, e.Statement, e.Sid, e.Boundary}
}

const (
	// s3ReadWrite allows object reads everywhere and writes to one bucket.
	s3ReadWrite = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:List*"],"Resource":"*"},
		{"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads/*"}]}`
	// denyPayroll denies everything on one prefix of one bucket.
	denyPayroll = `{"Version":"2012-10-17","Statement":[
		{"Sid":"NoPayroll","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::hr/payroll/*"}]}`
	// s3Boundary caps the principal at S3 reads.
	s3Boundary = `{"Version":"2012-10-17","Statement":[
		{"Sid":"ReadOnly","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`
	// boundaryDeny allows everything but denies deleting buckets.
	boundaryDeny = `{"Version":"2012-10-17","Statement":[
		{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},
		{"Sid":"KeepBuckets","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`
)

func TestEvaluateDecisions(t *testing.T) {
	admin := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	tests := []struct {
		name     string
		identity []string
		boundary string
		req      Request
		want     outcome
		reason   string
	}{
		{
			name:     "no policies deny implicitly",
			identity: nil,
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1},
			reason:   "no identity policy allows s3:GetObject",
		},
		{
			name:     "allow by first matching statement",
			identity: []string{s3ReadWrite},
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:     outcome{Decision: Allow, Policy: "p0", Statement: 0, Sid: "Read"},
			reason:   "allowed by identity policy p0 statement Read",
		},
		{
			name:     "allow by second statement",
			identity: []string{s3ReadWrite},
			req:      Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::uploads/a/b"},
			want:     outcome{Decision: Allow, Policy: "p0", Statement: 1, Sid: "Write"},
		},
		{
			name:     "resource outside the allowed bucket",
			identity: []string{s3ReadWrite},
			req:      Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::other/a"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1},
		},
		{
			name:     "action outside the policy",
			identity: []string{s3ReadWrite},
			req:      Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::uploads/a"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1},
		},
		{
			name:     "later policy deny overrides allow",
			identity: []string{admin, denyPayroll},
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::hr/payroll/2026.csv"},
			want:     outcome{Decision: ExplicitDeny, Policy: "p1", Statement: 0, Sid: "NoPayroll"},
			reason:   "explicit deny in identity policy p1 statement NoPayroll",
		},
		{
			name:     "earlier policy deny overrides allow",
			identity: []string{denyPayroll, admin},
			req:      Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::hr/payroll/x"},
			want:     outcome{Decision: ExplicitDeny, Policy: "p0", Statement: 0, Sid: "NoPayroll"},
		},
		{
			name:     "deny alone does not allow other resources",
			identity: []string{denyPayroll},
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::hr/other"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1},
		},
		{
			name:     "boundary and identity both allow",
			identity: []string{admin},
			boundary: s3Boundary,
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want:     outcome{Decision: Allow, Policy: "p0", Statement: 0},
			reason:   "allowed by identity policy p0 Statement[0]",
		},
		{
			name:     "boundary does not allow what identity allows",
			identity: []string{admin},
			boundary: s3Boundary,
			req:      Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::111122223333:user/x"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1, Boundary: true},
			reason:   "allowed by identity policy p0 but not by permissions boundary boundary",
		},
		{
			name:     "boundary allows but identity does not",
			identity: []string{s3ReadWrite},
			boundary: boundaryDeny,
			req:      Request{Action: "ec2:RunInstances", Resource: "*"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1},
			reason:   "no identity policy allows",
		},
		{
			name:     "explicit deny in the boundary",
			identity: []string{admin},
			boundary: boundaryDeny,
			req:      Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b"},
			want:     outcome{Decision: ExplicitDeny, Policy: "boundary", Statement: 1, Sid: "KeepBuckets", Boundary: true},
			reason:   "explicit deny in permissions boundary boundary statement KeepBuckets",
		},
		{
			name:     "identity deny wins over the boundary deny",
			identity: []string{denyPayroll},
			boundary: boundaryDeny,
			req:      Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::hr/payroll/x"},
			want:     outcome{Decision: ExplicitDeny, Policy: "p0", Statement: 0, Sid: "NoPayroll"},
		},
		{
			name: "NotAction Deny spares listed service",
			identity: []string{admin, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyIAMWithoutMFA",
				"Effect":"Deny","NotAction":"iam:*","Resource":"*",
				"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`},
			req:  Request{Action: "iam:ListUsers", Resource: "*"},
			want: outcome{Decision: Allow, Policy: "p0", Statement: 0},
		},
		{
			name: "NotAction Deny without MFA",
			identity: []string{admin, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyIAMWithoutMFA",
				"Effect":"Deny","NotAction":"iam:*","Resource":"*",
				"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`},
			req:  Request{Action: "ec2:StopInstances", Resource: "*"},
			want: outcome{Decision: ExplicitDeny, Policy: "p1", Statement: 0, Sid: "OnlyIAMWithoutMFA"},
		},
		{
			name: "NotAction Deny with MFA",
			identity: []string{admin, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyIAMWithoutMFA",
				"Effect":"Deny","NotAction":"iam:*","Resource":"*",
				"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`},
			req: Request{Action: "ec2:StopInstances", Resource: "*",
				Context: ctx("aws:MultiFactorAuthPresent", "true")},
			want: outcome{Decision: Allow, Policy: "p0", Statement: 0},
		},
		{
			name: "NotAction Allow allows other actions",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
				"NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`},
			req:  Request{Action: "lambda:CreateFunction", Resource: "*"},
			want: outcome{Decision: Allow, Policy: "p0", Statement: 0},
		},
		{
			name: "NotAction Allow skips listed actions",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
				"NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`},
			req:  Request{Action: "Organizations:CreateAccount", Resource: "*"},
			want: outcome{Decision: ImplicitDeny, Statement: -1},
		},
		{
			name: "NotResource Deny covers other objects",
			identity: []string{admin, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyPayroll",
				"Effect":"Deny","Action":"s3:*",
				"NotResource":["arn:aws:s3:::hr/payroll","arn:aws:s3:::hr/payroll/*"]}]}`},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::hr/reviews/a"},
			want: outcome{Decision: ExplicitDeny, Policy: "p1", Statement: 0, Sid: "OnlyPayroll"},
		},
		{
			name: "NotResource Deny spares listed objects",
			identity: []string{admin, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyPayroll",
				"Effect":"Deny","Action":"s3:*",
				"NotResource":["arn:aws:s3:::hr/payroll","arn:aws:s3:::hr/payroll/*"]}]}`},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::hr/payroll/a"},
			want: outcome{Decision: Allow, Policy: "p0", Statement: 0},
		},
		{
			name: "statement without Resource applies to nothing",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
				"Action":"s3:GetObject"}]}`},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want: outcome{Decision: ImplicitDeny, Statement: -1},
		},
		{
			name: "unknown Effect is ignored",
			identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"allow",
				"Action":"*","Resource":"*"}]}`},
			req:  Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			want: outcome{Decision: ImplicitDeny, Statement: -1},
		},
		{
			name:     "request resource star needs policy star",
			identity: []string{s3ReadWrite},
			req:      Request{Action: "s3:PutObject", Resource: "*"},
			want:     outcome{Decision: ImplicitDeny, Statement: -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var identity []NamedPolicy
			for i, text := range tt.identity {
				identity = append(identity, named(t, "p"+string(rune('0'+i)), text))
			}
			var boundary *NamedPolicy
			if tt.boundary != "" {
				b := named(t, "boundary", tt.boundary)
				boundary = &b
			}

			got := Evaluate(tt.req, identity, boundary)
			if outcomeOf(got) != tt.want {
				t.Errorf("Evaluate() = %+v, want %+v", outcomeOf(got), tt.want)
			}
			if got.Reason == "" {
				t.Errorf("Evaluate().Reason is empty, want an explanation")
			}
			if tt.reason != "" && !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Evaluate().Reason = %q, want it to contain %q", got.Reason, tt.reason)
			}
		})
	}
}

func TestEvaluateActionCase(t *testing.T) {
	p := named(t, "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"IAM:create*","Resource":"arn:aws:iam::111122223333:role/App"}]}`)
	tests := []struct {
		name     string
		action   string
		resource string
		want     Decision
	}{
		{"action case ignored", "iam:CreateRole", "arn:aws:iam::111122223333:role/App", Allow},
		{"service prefix case ignored", "Iam:CREATEROLE", "arn:aws:iam::111122223333:role/App", Allow},
		{"resource case kept", "iam:CreateRole", "arn:aws:iam::111122223333:role/app", ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(Request{Action: tt.action, Resource: tt.resource}, []NamedPolicy{p}, nil)
			if got.Decision != tt.want {
				t.Errorf("Evaluate(%s on %s) = %v, want %v", tt.action, tt.resource, got.Decision, tt.want)
			}
		})
	}
}

func TestEvaluateNilDocument(t *testing.T) {
	got := Evaluate(Request{Action: "s3:GetObject", Resource: "*"}, []NamedPolicy{{Name: "empty"}}, &NamedPolicy{Name: "b"})
	if got.Decision != ImplicitDeny {
		t.Errorf("Evaluate() with nil documents = %v, want %v", got.Decision, ImplicitDeny)
	}
}

func TestDecisionString(t *testing.T) {
	tests := []struct {
		d    Decision
		want string
	}{
		{ImplicitDeny, "implicitDeny"},
		{Allow, "allowed"},
		{ExplicitDeny, "explicitDeny"},
		{Decision(7), "Decision(7)"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("Decision(%d).String() = %q, want %q", int(tt.d), got, tt.want)
		}
	}
}
