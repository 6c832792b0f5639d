package policy_test

import (
	"fmt"

	"github.com/orgstrap/orgstrap/internal/policy"
)

func ExampleEvaluate() {
	identity, _ := policy.ParseDocument([]byte(`{"Version":"2012-10-17","Statement":[
		{"Sid":"Stacks","Effect":"Allow","Action":"cloudformation:*",
		 "Resource":"arn:aws:cloudformation:*:111122223333:stack/app-*/*"}]}`))
	boundary, _ := policy.ParseDocument([]byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Sid":"KeepStacks","Effect":"Deny","Action":"cloudformation:DeleteStack","Resource":"*"}]}`))
	policies := []policy.NamedPolicy{{Name: "deploy", Document: identity}}
	capPolicy := &policy.NamedPolicy{Name: "boundary", Document: boundary}

	for _, action := range []string{"cloudformation:CreateStack", "cloudformation:DeleteStack", "iam:CreateRole"} {
		req := policy.Request{Action: action, Resource: "arn:aws:cloudformation:us-east-1:111122223333:stack/app-dev/1"}
		e := policy.Evaluate(req, policies, capPolicy)
		fmt.Printf("%s: %s (%s)\n", action, e.Decision, e.Reason)
	}
	// Output:
	// cloudformation:CreateStack: allowed (allowed by identity policy deploy statement Stacks)
	// cloudformation:DeleteStack: explicitDeny (explicit deny in permissions boundary boundary statement KeepStacks)
	// iam:CreateRole: implicitDeny (no identity policy allows iam:CreateRole on arn:aws:cloudformation:us-east-1:111122223333:stack/app-dev/1)
}

func ExampleEvaluateTrust() {
	trust, _ := policy.ParseDocument([]byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`))
	caller := &policy.RequestPrincipal{
		Type:       "AWS",
		ID:         "arn:aws:iam::111122223333:role/admin",
		Account:    "111122223333",
		SessionARN: "arn:aws:sts::111122223333:assumed-role/admin/alice",
	}

	e := policy.EvaluateTrust(policy.Request{Action: "sts:AssumeRole", Principal: caller},
		policy.NamedPolicy{Name: "deploy-trust", Document: trust})
	fmt.Println(e.Decision, e.Statement)
	// Output: allowed 0
}

func ExampleMatchARN() {
	fmt.Println(policy.MatchARN("arn:aws:logs:*:*:log-group:/aws/lambda/app-*",
		"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/app-api:log-stream:x"))
	fmt.Println(policy.MatchARN("arn:aws:lambda:*:*:function:app-*-api",
		"arn:aws:lambda:us-east-1:111122223333:function:app-dev:api"))
	// Output:
	// true
	// false
}
