package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	const v = `"Version":"2012-10-17",`
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string // a part of the error message; "" for a valid document
	}{
		{"valid identity policy", KindIdentity,
			`{` + v + `"Statement":[{"Sid":"Read1","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`, ""},
		{"valid boundary", KindBoundary,
			`{` + v + `"Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::secret/*"}]}`, ""},
		{"valid trust policy", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`, ""},
		{"valid trust policy for a service", KindTrust,
			`{` + v + `"Statement":{"Effect":"Allow","Principal":{"Service":"cloudformation.amazonaws.com"},"Action":"sts:AssumeRole"}}`, ""},
		{"valid 2008 version", KindIdentity,
			`{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, ""},
		{"valid without version", KindIdentity,
			`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, ""},
		{"valid conditions", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
				"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"Null":{"aws:TokenIssueTime":"true"}}}]}`, ""},

		{"bad version", KindIdentity,
			`{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			`policy Version "2012-10-18" is not supported`},
		{"empty Statement", KindIdentity, `{` + v + `"Statement":[]}`, "policy has no statements"},
		{"missing Statement", KindIdentity, `{` + v + `"Id":"x"}`, "policy has no statements"},
		{"missing Effect", KindIdentity,
			`{` + v + `"Statement":[{"Action":"*","Resource":"*"}]}`, "Statement[0]: missing required field Effect"},
		{"bad Effect", KindIdentity,
			`{` + v + `"Statement":[{"Sid":"A","Effect":"allow","Action":"*","Resource":"*"}]}`,
			`statement A: invalid Effect "allow"`},
		{"Action and NotAction", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}`,
			"both Action and NotAction are set"},
		{"neither Action nor NotAction", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "statement must contain actions"},
		{"empty Action list", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "statement must contain actions"},
		{"action without a service", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}]}`,
			`action "s3GetObject" is invalid: actions must be prefixed by a service`},
		{"action with two colons", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}]}`, `action "s3:Get:Object" is invalid`},
		{"Resource missing in an identity policy", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*"}]}`, "missing required field Resource"},
		{"Resource missing in a boundary", KindBoundary,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*"}]}`, "missing required field Resource"},
		{"Resource and NotResource", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}]}`,
			"both Resource and NotResource are set"},
		{"resource not an ARN", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"my-bucket"}]}`,
			`resource "my-bucket" must be in ARN format or "*"`},
		{"Principal in an identity policy", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
			"identity policy should not specify a principal"},
		{"NotPrincipal in a boundary", KindBoundary,
			`{` + v + `"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}`,
			"permissions boundary should not specify a principal"},
		{"Principal missing in a trust policy", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "missing required field Principal"},
		{"Resource in a trust policy", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`,
			"has prohibited field Resource"},
		{"non-STS action in a trust policy", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":["sts:AssumeRole","s3:GetObject"]}]}`,
			`action "s3:GetObject" is not allowed in a trust policy`},
		{"STS wildcard in a trust policy", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":"STS:Assume*"}]}`, ""},
		{"NotPrincipal in a trust policy", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`,
			"NotPrincipal is not supported in a trust policy"},
		{"empty principal", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}]}`, "Principal names no principal"},
		{"bad AWS principal", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"sts:AssumeRole"}]}`,
			`invalid principal in policy: "alice"`},
		{"bad service principal", KindTrust,
			`{` + v + `"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda"},"Action":"sts:AssumeRole"}]}`,
			`service "lambda"`},
		{"unknown condition operator", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}]}`,
			`condition operator "StringEqualz" is not supported`},
		{"condition operator without keys", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}]}`,
			"condition operator StringEquals has no condition keys"},
		{"condition key without values", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":[]}}}]}`,
			"condition key a:b under StringEquals has no values"},
		{"Sid with punctuation", KindIdentity,
			`{` + v + `"Statement":[{"Sid":"read-all","Effect":"Allow","Action":"*","Resource":"*"}]}`, `invalid Sid "read-all"`},
		{"duplicate Sid", KindIdentity,
			`{` + v + `"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},
				{"Sid":"A","Effect":"Deny","Action":"iam:*","Resource":"*"}]}`, `Sid "A" is used twice`},
		{"second statement named by index", KindIdentity,
			`{` + v + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*"}]}`,
			"Statement[1]: missing required field Resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(mustParse(t, tt.doc), tt.kind)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate() = nil, want an error containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	if err := Validate(nil, KindIdentity); err == nil {
		t.Errorf("Validate(nil) = nil, want an error")
	}
}

func TestParseDocumentErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"not JSON", `{"Version":`, "parse policy document"},
		{"empty", " \n", "the document is empty"},
		{"null", `null`, "policy document must be a JSON object"},
		{"array", `[]`, "policy document must be a JSON object"},
		{"trailing data", `{"Statement":[]} {}`, "unexpected data after the closing brace"},
		{"unknown top-level element", `{"Version":"2012-10-17","Statements":[]}`, `unknown element "Statements"`},
		{"lower-case element", `{"version":"2012-10-17","Statement":[]}`, `unknown element "version"`},
		{"unknown statement element", `{"Statement":[{"Effect":"Allow","Actions":"*","Resource":"*"}]}`, `unknown element "Actions" in statement`},
		{"Effect not a string", `{"Statement":[{"Effect":true}]}`, "element Effect: expected a string"},
		{"Version not a string", `{"Version":2012}`, "element Version: expected a string"},
		{"Statement a string", `{"Statement":"x"}`, "expected a statement object or a list"},
		{"Action an object", `{"Statement":[{"Action":{"a":"b"}}]}`, "element Action"},
		{"Resource null", `{"Statement":[{"Resource":null}]}`, "got null"},
		{"Resource list with null", `{"Statement":[{"Resource":["a",null]}]}`, "got null"},
		{"Principal null", `{"Statement":[{"Principal":null}]}`, "principal must be"},
		{"Principal other string", `{"Statement":[{"Principal":"arn:aws:iam::1:root"}]}`, `principal "arn:aws:iam::1:root" is invalid`},
		{"Principal unknown type", `{"Statement":[{"Principal":{"CanonicalUser":"x"}}]}`, `principal type "CanonicalUser" is not supported`},
		{"Condition null", `{"Statement":[{"Condition":null}]}`, "got null"},
		{"Condition operator null", `{"Statement":[{"Condition":{"Bool":null}}]}`, "condition operator Bool"},
		{"Condition value object", `{"Statement":[{"Condition":{"Bool":{"a:b":{"c":1}}}}]}`, "expected a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseDocument([]byte(tt.text))
			if err == nil {
				t.Fatalf("ParseDocument(%s) = %+v, want an error containing %q", tt.text, doc, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDocument(%s) error = %q, want it to contain %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestParseDocumentForms(t *testing.T) {
	doc := mustParse(t, `{"Version":"2012-10-17","Id":"doc1","Statement":{"Sid":"One","Effect":"Allow",
		"Action":"sts:AssumeRole","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:root"],
		"Service":"ec2.amazonaws.com"},"Condition":{"NumericLessThan":{"a:n":5},"Bool":{"a:b":[true,false]}}}}`)
	if doc.ID != "doc1" {
		t.Errorf("ID = %q, want %q", doc.ID, "doc1")
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("len(Statement) = %d, want 1 from a single statement object", len(doc.Statement))
	}
	st := doc.Statement[0]
	if got, want := strings.Join(st.Principal.AWS, ","), "111122223333,arn:aws:iam::444455556666:root"; got != want {
		t.Errorf("Principal.AWS = %q, want %q", got, want)
	}
	if got, want := strings.Join(st.Principal.Service, ","), "ec2.amazonaws.com"; got != want {
		t.Errorf("Principal.Service = %q, want %q", got, want)
	}
	if got, want := strings.Join(st.Condition["NumericLessThan"]["a:n"], ","), "5"; got != want {
		t.Errorf("NumericLessThan value = %q, want %q", got, want)
	}
	if got, want := strings.Join(st.Condition["Bool"]["a:b"], ","), "true,false"; got != want {
		t.Errorf("Bool values = %q, want %q", got, want)
	}
	if got, want := strings.Join(st.Condition.Operators(), ","), "Bool,NumericLessThan"; got != want {
		t.Errorf("Operators() = %q, want %q", got, want)
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	text := `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*",` +
		`"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}`
	doc := mustParse(t, text)
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("json.Marshal() failed: %v", err)
	}
	if string(data) != text {
		t.Errorf("json.Marshal() = %s, want %s", data, text)
	}
}

func TestMarshalKeepsHTMLCharacters(t *testing.T) {
	text := `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/<a>&"}]}`
	data, err := Marshal(mustParse(t, text))
	if err != nil {
		t.Fatalf("Marshal() failed: %v", err)
	}
	if string(data) != text {
		t.Errorf("Marshal() = %s, want %s", data, text)
	}
}

func TestSize(t *testing.T) {
	pretty := `{
		"Version": "2012-10-17",
		"Statement": [
			{
				"Effect": "Allow",
				"Action": "s3:GetObject",
				"Resource": "arn:aws:s3:::b/<key>&"
			}
		]
	}`
	compact := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/<key>&"}]}`
	doc := mustParse(t, pretty)

	if got, want := Size(doc), len(compact); got != want {
		t.Errorf("Size() = %d, want %d, the length of %s", got, want, compact)
	}
	if got, want := TextSize([]byte(pretty)), len(compact); got != want {
		t.Errorf("TextSize(pretty) = %d, want %d", got, want)
	}
	spaced := `{"Sid": "a b", "x": "\" y"}`
	if got, want := TextSize([]byte(spaced)), len(`{"Sid":"a b","x":"\" y"}`); got != want {
		t.Errorf("TextSize(%s) = %d, want %d: spaces inside strings count", spaced, got, want)
	}
	if got, want := TextSize([]byte(`"é"`)), 3; got != want {
		t.Errorf("TextSize of a non-ASCII string = %d, want %d characters", got, want)
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{KindIdentity, "identity policy"},
		{KindBoundary, "permissions boundary"},
		{KindTrust, "trust policy"},
		{Kind(9), "Kind(9)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.kind), got, tt.want)
		}
	}
}
