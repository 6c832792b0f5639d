package policy

import "strings"

// maxExpansions bounds the patterns one value expands to when its variables
// name multivalued context keys, so a hostile context cannot blow up an
// evaluation.
const maxExpansions = 64

// segment is a piece of a policy value: text that keeps its wildcards, or
// literal text from an escape or a variable's value.
type segment struct {
	text    string
	literal bool
}

// hasVariable reports whether a value may contain a policy variable.
func hasVariable(value string) bool {
	return strings.Contains(value, "${")
}

// expand substitutes the policy variables in value: ${key} takes the value
// of the context key (case-insensitive), ${key, 'text'} falls back to text
// when the key is missing, and ${*}, ${?} and ${$} stand for the literal
// characters. ok is false when a variable has no value and no default, which
// IAM treats as a value that matches nothing. A multivalued key yields one
// pattern per value.
func (c *requestContext) expand(value string) (patterns []pattern, ok bool) {
	alternatives := [][]segment{nil}
	rest := value
	for {
		start := strings.Index(rest, "${")
		if start < 0 {
			break
		}
		end := strings.IndexByte(rest[start:], '}')
		if end < 0 {
			break
		}
		end += start
		alternatives = appendSegment(alternatives, segment{text: rest[:start]})

		values, resolved := c.resolveVariable(rest[start+2 : end])
		if !resolved {
			return nil, false
		}
		alternatives = multiply(alternatives, values)
		rest = rest[end+1:]
	}
	alternatives = appendSegment(alternatives, segment{text: rest})

	patterns = make([]pattern, 0, len(alternatives))
	for _, segments := range alternatives {
		patterns = append(patterns, joinSegments(segments))
	}
	return patterns, true
}

// resolveVariable returns the values of the variable whose text between
// "${" and "}" is inner.
func (c *requestContext) resolveVariable(inner string) ([]string, bool) {
	switch inner {
	case "*", "?", "$":
		return []string{inner}, true
	}
	key, fallback, hasDefault := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if hasDefault {
		fallback = strings.TrimSpace(fallback)
		if len(fallback) < 2 || fallback[0] != '\'' || fallback[len(fallback)-1] != '\'' {
			return nil, false
		}
		fallback = fallback[1 : len(fallback)-1]
	}
	if values, present := c.lookup(key); present {
		return values, true
	}
	if hasDefault {
		return []string{fallback}, true
	}
	return nil, false
}

func appendSegment(alternatives [][]segment, seg segment) [][]segment {
	if seg.text == "" {
		return alternatives
	}
	for i := range alternatives {
		alternatives[i] = append(alternatives[i], seg)
	}
	return alternatives
}

// multiply appends each value, as literal text, to every alternative so far.
func multiply(alternatives [][]segment, values []string) [][]segment {
	if len(values) == 1 {
		return appendSegment(alternatives, segment{text: values[0], literal: true})
	}
	var out [][]segment
	for _, alt := range alternatives {
		for _, v := range values {
			if len(out) == maxExpansions {
				return out
			}
			next := append(append([]segment(nil), alt...), segment{text: v, literal: true})
			out = append(out, next)
		}
	}
	return out
}

func joinSegments(segments []segment) pattern {
	var b strings.Builder
	var literal []bool
	for _, seg := range segments {
		if seg.literal && literal == nil {
			literal = make([]bool, b.Len(), b.Len()+len(seg.text))
		}
		b.WriteString(seg.text)
		if literal != nil {
			for range len(seg.text) {
				literal = append(literal, seg.literal)
			}
		}
	}
	return pattern{text: b.String(), literal: literal}
}

// expandValue returns the patterns for one policy value. Outside version
// 2012-10-17 documents, or without a "${", the value is taken as written.
func (c *requestContext) expandValue(value string, variables bool) ([]pattern, bool) {
	if !variables || !hasVariable(value) {
		return []pattern{{text: value}}, true
	}
	return c.expand(value)
}
