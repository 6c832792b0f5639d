package policy

import (
	"strings"
	"testing"
)

// FuzzParseEvaluate feeds arbitrary documents and requests through the
// parser and both evaluators, which must never panic and must report a
// statement index that exists in the deciding policy.
func FuzzParseEvaluate(f *testing.F) {
	seeds := []string{
		s3ReadWrite, denyPayroll, s3Boundary, boundaryDeny,
		trustDoc(`{"AWS":"arn:aws:iam::111122223333:root"}`, ""),
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},` +
			`"NotAction":"s3:*","NotResource":"arn:aws:s3:::b/${aws:username}/${*}",` +
			`"Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["${aws:PrincipalTag/x, 'd'}*"]},` +
			`"NumericLessThanIfExists":{"n":"3"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},` +
			`"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"ArnLike":{"aws:SourceArn":"arn:*:*:*:*:*"},` +
			`"BinaryEquals":{"b":"AA=="},"Null":{"z":"true"}}}}`,
		`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${","Condition":{"Bool":{"a":true}}}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), "s3:GetObject", "arn:aws:s3:::b/alice/x", "aws:username", "alice")
	}
	f.Fuzz(func(t *testing.T, data []byte, action, resource, key, value string) {
		doc, err := ParseDocument(data)
		if err != nil {
			return
		}
		_ = Validate(doc, KindIdentity)
		_ = Validate(doc, KindTrust)
		_ = Size(doc)

		req := Request{
			Action:   action,
			Resource: resource,
			Principal: &RequestPrincipal{ID: "arn:aws:iam::111122223333:user/" + value,
				Account: "111122223333", SessionARN: strings.ToUpper(resource)},
			Context: map[string][]string{key: {value, resource}},
		}
		p := NamedPolicy{Name: "fuzz", Document: doc}
		checkEvaluation(t, Evaluate(req, []NamedPolicy{p}, &p), doc)
		checkEvaluation(t, EvaluateTrust(req, p), doc)
	})
}

func checkEvaluation(t *testing.T, e Evaluation, doc *Document) {
	t.Helper()
	if e.Statement < -1 || e.Statement >= len(doc.Statement) {
		t.Fatalf("Evaluation.Statement = %d, want -1 or an index below %d", e.Statement, len(doc.Statement))
	}
	if e.Decision == ImplicitDeny && e.Statement != -1 {
		t.Fatalf("implicit deny names statement %d, want -1", e.Statement)
	}
	if e.Reason == "" {
		t.Fatalf("Evaluation.Reason is empty")
	}
}
