package policy

import "testing"

// mustParse parses a document that a test wrote by hand.
func mustParse(t testing.TB, text string) *Document {
	t.Helper()
	doc, err := ParseDocument([]byte(text))
	if err != nil {
		t.Fatalf("ParseDocument(%s) failed: %v", text, err)
	}
	return doc
}

// named wraps a document for Evaluate and EvaluateTrust.
func named(t testing.TB, name, text string) NamedPolicy {
	t.Helper()
	return NamedPolicy{Name: name, Document: mustParse(t, text)}
}

// ctx builds a request context from key and value pairs; a key may repeat
// to give it several values.
func ctx(pairs ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = append(m[pairs[i]], pairs[i+1])
	}
	return m
}
