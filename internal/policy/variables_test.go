package policy

import (
	"fmt"
	"testing"
)

func TestPolicyVariables(t *testing.T) {
	user := &RequestPrincipal{ID: "arn:aws:iam::111122223333:user/division/alice", Account: "111122223333"}
	role := &RequestPrincipal{ID: "arn:aws:iam::111122223333:role/deployer", Account: "111122223333",
		SessionARN: "arn:aws:sts::111122223333:assumed-role/deployer/ci"}
	tests := []struct {
		name      string
		version   string
		resource  string
		condition string
		req       Request
		want      Decision
	}{
		{
			name:     "username from the user ARN",
			resource: "arn:aws:s3:::home/${aws:username}/*",
			req:      Request{Resource: "arn:aws:s3:::home/alice/notes.txt", Principal: user},
			want:     Allow,
		},
		{
			name:     "username of another user",
			resource: "arn:aws:s3:::home/${aws:username}/*",
			req:      Request{Resource: "arn:aws:s3:::home/bob/notes.txt", Principal: user},
			want:     ImplicitDeny,
		},
		{
			name:     "username from the context wins",
			resource: "arn:aws:s3:::home/${aws:username}/*",
			req: Request{Resource: "arn:aws:s3:::home/carol/x", Principal: user,
				Context: ctx("aws:username", "carol")},
			want: Allow,
		},
		{
			name:     "variable name case ignored",
			resource: "arn:aws:s3:::home/${AWS:UserName}/*",
			req:      Request{Resource: "arn:aws:s3:::home/alice/x", Principal: user},
			want:     Allow,
		},
		{
			name:     "unresolved variable matches nothing",
			resource: "arn:aws:s3:::home/${aws:username}/*",
			req:      Request{Resource: "arn:aws:s3:::home/deployer/x", Principal: role},
			want:     ImplicitDeny,
		},
		{
			name:     "principal tag",
			resource: "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*",
			req: Request{Resource: "arn:aws:s3:::teams/payments/a",
				Context: ctx("aws:PrincipalTag/Team", "payments")},
			want: Allow,
		},
		{
			name:     "default value when the key is missing",
			resource: "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'company-wide'}/*",
			req:      Request{Resource: "arn:aws:s3:::teams/company-wide/a"},
			want:     Allow,
		},
		{
			name:     "default value unused for present key",
			resource: "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'company-wide'}/*",
			req: Request{Resource: "arn:aws:s3:::teams/company-wide/a",
				Context: ctx("aws:PrincipalTag/team", "payments")},
			want: ImplicitDeny,
		},
		{
			name:     "userid and principal account",
			resource: "arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/t-${aws:userid}",
			req: Request{Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/t-AIDAEXAMPLE",
				Principal: user, Context: ctx("aws:userid", "AIDAEXAMPLE")},
			want: Allow,
		},
		{
			name:     "escaped star is literal",
			resource: "arn:aws:s3:::b/${*}",
			req:      Request{Resource: "arn:aws:s3:::b/*"},
			want:     Allow,
		},
		{
			name:     "escaped star is not a wildcard",
			resource: "arn:aws:s3:::b/${*}",
			req:      Request{Resource: "arn:aws:s3:::b/anything"},
			want:     ImplicitDeny,
		},
		{
			name:     "escaped question mark and dollar",
			resource: "arn:aws:s3:::b/${?}${$}",
			req:      Request{Resource: "arn:aws:s3:::b/?$"},
			want:     Allow,
		},
		{
			name:     "variable value is literal",
			resource: "arn:aws:s3:::home/${aws:PrincipalTag/dir}",
			req: Request{Resource: "arn:aws:s3:::home/anything",
				Context: ctx("aws:PrincipalTag/dir", "*")},
			want: ImplicitDeny,
		},
		{
			name:     "no variables in version 2008-10-17",
			version:  Version2008,
			resource: "arn:aws:s3:::home/${aws:username}/*",
			req:      Request{Resource: "arn:aws:s3:::home/${aws:username}/x", Principal: user},
			want:     Allow,
		},
		{
			name:     "no variables without a version",
			version:  "-",
			resource: "arn:aws:s3:::home/${aws:username}/*",
			req:      Request{Resource: "arn:aws:s3:::home/alice/x", Principal: user},
			want:     ImplicitDeny,
		},
		{
			name:      "variable in a StringLike condition",
			resource:  "arn:aws:s3:::home",
			condition: `{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}`,
			req: Request{Resource: "arn:aws:s3:::home", Principal: user,
				Context: ctx("s3:prefix", "home/alice/docs")},
			want: Allow,
		},
		{
			name:      "variable in a StringEquals condition",
			resource:  "*",
			condition: `{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`,
			req: Request{Resource: "arn:aws:ec2:us-east-1:111122223333:instance/i-1", Principal: user,
				Context: ctx("aws:ResourceTag/owner", "alice")},
			want: Allow,
		},
		{
			name:      "unresolved variable in a negated condition",
			resource:  "*",
			condition: `{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`,
			req: Request{Resource: "arn:aws:ec2:us-east-1:111122223333:instance/i-1", Principal: role,
				Context: ctx("aws:ResourceTag/owner", "alice")},
			want: ImplicitDeny,
		},
		{
			name:      "missing key decides before an unresolved variable",
			resource:  "*",
			condition: `{"StringEqualsIfExists":{"aws:ResourceTag/owner":"${aws:username}"}}`,
			req:       Request{Resource: "*", Principal: role},
			want:      Allow,
		},
		{
			name:      "variable in an ArnEquals condition",
			resource:  "*",
			condition: `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:${aws:PrincipalAccount}:alerts"}}`,
			req: Request{Resource: "*", Principal: role,
				Context: ctx("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:alerts")},
			want: Allow,
		},
		{
			name:      "no variables in numeric conditions",
			resource:  "*",
			condition: `{"NumericEquals":{"s3:max-keys":"${example:limit}"}}`,
			req:       Request{Resource: "*", Context: ctx("s3:max-keys", "5", "example:limit", "5")},
			want:      ImplicitDeny,
		},
		{
			name:     "multivalued variable does not resolve",
			resource: "arn:aws:s3:::teams/${example:teams}/*",
			req: Request{Resource: "arn:aws:s3:::teams/b/x",
				Context: ctx("example:teams", "a", "example:teams", "b")},
			want: ImplicitDeny,
		},
		{
			name:     "unclosed variable is text",
			resource: "arn:aws:s3:::b/${aws:username",
			req:      Request{Resource: "arn:aws:s3:::b/${aws:username", Principal: user},
			want:     Allow,
		},
		{
			name:     "default value without quotes is invalid",
			resource: "arn:aws:s3:::teams/${aws:PrincipalTag/team, company}/*",
			req:      Request{Resource: "arn:aws:s3:::teams/company/a"},
			want:     ImplicitDeny,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := `"Version":"2012-10-17",`
			switch tt.version {
			case "-":
				version = ""
			case Version2008:
				version = `"Version":"2008-10-17",`
			}
			condition := ""
			if tt.condition != "" {
				condition = `,"Condition":` + tt.condition
			}
			doc := fmt.Sprintf(`{%s"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":%q%s}]}`,
				version, tt.resource, condition)
			p := named(t, "p", doc)
			tt.req.Action = "s3:GetObject"

			got := Evaluate(tt.req, []NamedPolicy{p}, nil)
			if got.Decision != tt.want {
				t.Errorf("Evaluate(%s) with Resource %s = %v (%s), want %v",
					tt.req.Resource, tt.resource, got.Decision, got.Reason, tt.want)
			}
		})
	}
}

func TestNotResourceUnresolvedVariable(t *testing.T) {
	p := named(t, "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
		"NotResource":"arn:aws:s3:::home/${aws:username}/*"}]}`)
	req := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x"}

	got := Evaluate(req, []NamedPolicy{p}, nil)
	if got.Decision != ImplicitDeny {
		t.Errorf("Evaluate() with an unresolved NotResource variable = %v, want %v", got.Decision, ImplicitDeny)
	}
}

func TestDerivedContextKeys(t *testing.T) {
	p := named(t, "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
		"Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333",
		"aws:PrincipalArn":"arn:aws:iam::111122223333:role/deployer"}}}]}`)
	tests := []struct {
		name      string
		principal *RequestPrincipal
		want      Decision
	}{
		{"role session", &RequestPrincipal{ID: "arn:aws:iam::111122223333:role/deployer", Account: "111122223333",
			SessionARN: "arn:aws:sts::111122223333:assumed-role/deployer/ci"}, Allow},
		{"other account", &RequestPrincipal{ID: "arn:aws:iam::444455556666:role/deployer", Account: "444455556666"}, ImplicitDeny},
		{"service principal", &RequestPrincipal{Type: "Service", ID: "cloudformation.amazonaws.com"}, ImplicitDeny},
		{"no principal", nil, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(Request{Action: "s3:GetObject", Resource: "*", Principal: tt.principal}, []NamedPolicy{p}, nil)
			if got.Decision != tt.want {
				t.Errorf("Evaluate() = %v, want %v", got.Decision, tt.want)
			}
		})
	}
}
