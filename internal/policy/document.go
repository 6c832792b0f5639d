// Package policy parses IAM policy documents and evaluates requests against
// them. It has no AWS dependency, so the sandbox, the policy library and the
// engine share one implementation of IAM's evaluation logic.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Version2012 is the only policy language version that supports policy
// variables; documents without a Version are treated as 2008-10-17 by IAM.
const Version2012 = "2012-10-17"

// Document is an IAM policy document: an identity policy, a permissions
// boundary or a resource policy such as a role's trust policy.
type Document struct {
	Version   string      `json:"Version,omitempty"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one element of a document's Statement list. Exactly one of
// Action and NotAction, and at most one of Resource and NotResource, are set
// in a valid statement. Trust policies use Principal or NotPrincipal instead
// of Resource.
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       string     `json:"Effect"`
	Principal    *Principal `json:"Principal,omitempty"`
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	Action       Values     `json:"Action,omitempty"`
	NotAction    Values     `json:"NotAction,omitempty"`
	Resource     Values     `json:"Resource,omitempty"`
	NotResource  Values     `json:"NotResource,omitempty"`
	Condition    Conditions `json:"Condition,omitempty"`
}

// Values is a policy element that IAM accepts either as one string or as a
// list of strings. It always marshals as a list, except that a single value
// marshals as a string to keep documents short.
type Values []string

// UnmarshalJSON accepts a string or an array of strings. Condition values
// may also be JSON booleans or numbers, which IAM treats as their text.
func (v *Values) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return err
		}
		list := make([]string, 0, len(raw))
		for _, item := range raw {
			s, err := scalarText(item)
			if err != nil {
				return err
			}
			list = append(list, s)
		}
		*v = list
		return nil
	}
	s, err := scalarText(data)
	if err != nil {
		return err
	}
	*v = Values{s}
	return nil
}

// scalarText returns the text of a JSON string, boolean or number.
func scalarText(data []byte) (string, error) {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '"':
		var s string
		err := json.Unmarshal(data, &s)
		return s, err
	case bytes.Equal(data, []byte("true")), bytes.Equal(data, []byte("false")):
		return string(data), nil
	case bytes.Equal(data, []byte("null")):
		return "", fmt.Errorf("expected a string or a list of strings, got null")
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return "", fmt.Errorf("expected a string or a list of strings, got %s", abbreviate(data))
		}
		return n.String(), nil
	}
}

// MarshalJSON writes a single value as a string and several as a list.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return marshalText(v[0])
	}
	return marshalText([]string(v))
}

// marshalText marshals without escaping <, > and &, so that Size counts
// those characters as one each. json.Marshal escapes them again in its own
// output; an Encoder with SetEscapeHTML(false) keeps them.
func marshalText(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Principal is the Principal or NotPrincipal element of a resource policy.
// IAM also accepts the bare string "*", which means every principal; Any
// records that form.
type Principal struct {
	Any       bool
	AWS       Values
	Service   Values
	Federated Values
}

// UnmarshalJSON accepts "*" or an object keyed by AWS, Service or Federated.
func (p *Principal) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s != "*" {
			return fmt.Errorf("principal %q is invalid: use \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}", s)
		}
		p.Any = true
		return nil
	}
	var m map[string]Values
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return fmt.Errorf("principal must be \"*\" or an object of string lists, got %s", abbreviate(data))
	}
	for key, values := range m {
		switch key {
		case "AWS":
			p.AWS = values
		case "Service":
			p.Service = values
		case "Federated":
			p.Federated = values
		default:
			return fmt.Errorf("principal type %q is not supported: use AWS, Service or Federated", key)
		}
	}
	return nil
}

// MarshalJSON writes "*" for Any and an object otherwise.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Any {
		return []byte(`"*"`), nil
	}
	m := map[string]Values{}
	if len(p.AWS) > 0 {
		m["AWS"] = p.AWS
	}
	if len(p.Service) > 0 {
		m["Service"] = p.Service
	}
	if len(p.Federated) > 0 {
		m["Federated"] = p.Federated
	}
	return marshalText(m)
}

// Conditions maps a condition operator (such as StringEquals or
// ForAnyValue:StringLike) to its keys and their values.
type Conditions map[string]map[string]Values

// Operators returns the condition operators in sorted order, so callers that
// walk a condition block do so deterministically.
func (c Conditions) Operators() []string {
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

func abbreviate(data []byte) string {
	const max = 60
	if len(data) > max {
		return string(data[:max]) + "..."
	}
	return string(data)
}
