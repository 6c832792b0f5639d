package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Size limits IAM applies to policy documents, in characters not counting
// whitespace.
const (
	MaxManagedPolicySize = 6144  // one customer managed policy
	MaxInlinePolicySize  = 10240 // all inline policies of one role, together
	MaxTrustPolicySize   = 2048  // a role's trust policy at the default quota
)

// ParseDocument decodes a policy document. It is strict where IAM is: element
// names are case-sensitive, unknown elements are rejected, and nothing may
// follow the document. Statement may be one object or a list of them. The
// structure is checked by Validate, not here.
func ParseDocument(data []byte) (*Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("parse policy document: the document is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse policy document: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse policy document: unexpected data after the closing brace")
	}
	return &doc, nil
}

// UnmarshalJSON decodes a document with the strict rules of ParseDocument.
func (d *Document) UnmarshalJSON(data []byte) error {
	fields, err := objectFields(data, "policy document")
	if err != nil {
		return err
	}
	var parsed Document
	for _, key := range sortedKeys(fields) {
		raw := fields[key]
		switch key {
		case "Version":
			err = decodeString(raw, &parsed.Version)
		case "Id":
			err = decodeString(raw, &parsed.ID)
		case "Statement":
			parsed.Statement, err = decodeStatements(raw)
		default:
			return fmt.Errorf("unknown element %q in policy document: use Version, Id and Statement", key)
		}
		if err != nil {
			return fmt.Errorf("element %s: %w", key, err)
		}
	}
	*d = parsed
	return nil
}

// decodeStatements accepts one statement object or a list of them, as IAM
// does.
func decodeStatements(raw json.RawMessage) ([]Statement, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var st Statement
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, err
		}
		return []Statement{st}, nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("expected a statement object or a list of them, got %s", abbreviate(raw))
	}
	var list []Statement
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// UnmarshalJSON decodes one statement, rejecting unknown or misspelled
// element names.
func (s *Statement) UnmarshalJSON(data []byte) error {
	fields, err := objectFields(data, "statement")
	if err != nil {
		return err
	}
	var st Statement
	for _, key := range sortedKeys(fields) {
		raw := fields[key]
		switch key {
		case "Sid":
			err = decodeString(raw, &st.Sid)
		case "Effect":
			err = decodeString(raw, &st.Effect)
		case "Principal":
			st.Principal = new(Principal)
			err = json.Unmarshal(raw, st.Principal)
		case "NotPrincipal":
			st.NotPrincipal = new(Principal)
			err = json.Unmarshal(raw, st.NotPrincipal)
		case "Action":
			err = json.Unmarshal(raw, &st.Action)
		case "NotAction":
			err = json.Unmarshal(raw, &st.NotAction)
		case "Resource":
			err = json.Unmarshal(raw, &st.Resource)
		case "NotResource":
			err = json.Unmarshal(raw, &st.NotResource)
		case "Condition":
			err = decodeConditions(raw, &st.Condition)
		default:
			return fmt.Errorf("unknown element %q in statement: use Sid, Effect, Principal, NotPrincipal, "+
				"Action, NotAction, Resource, NotResource or Condition", key)
		}
		if err != nil {
			return fmt.Errorf("element %s: %w", key, err)
		}
	}
	*s = st
	return nil
}

func decodeConditions(raw json.RawMessage, c *Conditions) error {
	var m map[string]map[string]Values
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if m == nil {
		return errors.New("expected an object of condition operators, got null")
	}
	for op, keys := range m {
		if keys == nil {
			return fmt.Errorf("condition operator %s: expected an object of condition keys, got null", op)
		}
	}
	*c = m
	return nil
}

// objectFields splits a JSON object into its members; what names the object
// in the error message.
func objectFields(data []byte, what string) (map[string]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("%s must be a JSON object, got %s", what, abbreviate(data))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, err
	}
	return fields, nil
}

func decodeString(raw json.RawMessage, dst *string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return fmt.Errorf("expected a string, got %s", abbreviate(raw))
	}
	return json.Unmarshal(raw, dst)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Marshal returns doc as compact JSON without HTML escapes. Send this text to
// IAM so that Size and IAM count the same characters; json.Marshal would
// write "<", ">" and "&" as six-character escapes.
func Marshal(doc *Document) ([]byte, error) {
	return marshalText(doc)
}

// Size returns the number of characters of Marshal's output, which is how
// IAM measures a document against MaxManagedPolicySize and the other limits:
// IAM does not count whitespace, and Marshal writes none outside strings.
// Whitespace inside strings is counted, so the figure never falls short of
// IAM's.
func Size(doc *Document) int {
	data, err := marshalText(doc)
	if err != nil {
		// Unreachable: a Document contains only strings and lists and maps
		// of strings, which always encode.
		return 0
	}
	return utf8.RuneCount(data)
}

// TextSize returns the number of characters of a policy document as written,
// not counting whitespace outside strings: the figure IAM checks when a
// caller submits the text itself.
func TextSize(data []byte) int {
	n := 0
	inString, escaped := false, false
	for _, r := range string(data) {
		switch {
		case inString && escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case !inString && unicode.IsSpace(r):
			continue
		}
		n++
	}
	return n
}
