package policy

import "strings"

// segment is a piece of a policy value: text that keeps its wildcards, or
// literal text from an escape or a variable's value.
type segment struct {
	text    string
	literal bool
}

// expandValue returns the pattern for one policy value. Outside version
// 2012-10-17 documents, or without a "${", the value is taken as written.
func (c *requestContext) expandValue(value string, variables bool) (pattern, bool) {
	if !variables || !strings.Contains(value, "${") {
		return pattern{text: value}, true
	}
	return c.expand(value)
}

// expand substitutes the policy variables in value: ${key} takes the value
// of the context key (case-insensitive), ${key, 'text'} falls back to text
// when the key is missing, and ${*}, ${?} and ${$} stand for the literal
// characters. ok is false when a variable has no value and no default, which
// IAM treats as a value that matches nothing.
func (c *requestContext) expand(value string) (p pattern, ok bool) {
	var segments []segment
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

		resolved, ok := c.resolveVariable(rest[start+2 : end])
		if !ok {
			return pattern{}, false
		}
		segments = append(segments, segment{text: rest[:start]}, segment{text: resolved, literal: true})
		rest = rest[end+1:]
	}
	segments = append(segments, segment{text: rest})
	return joinSegments(segments), true
}

// resolveVariable returns the value of the variable whose text between "${"
// and "}" is inner.
//
// NOTE: a key with several values does not resolve. IAM documents no
// substitution for multivalued keys, so this takes the restrictive reading.
func (c *requestContext) resolveVariable(inner string) (string, bool) {
	switch inner {
	case "*", "?", "$":
		return inner, true
	}
	key, fallback, hasDefault := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if hasDefault {
		fallback = strings.TrimSpace(fallback)
		if len(fallback) < 2 || fallback[0] != '\'' || fallback[len(fallback)-1] != '\'' {
			return "", false
		}
		fallback = fallback[1 : len(fallback)-1]
	}

	values, present := c.lookup(key)
	switch {
	case present && len(values) == 1:
		return values[0], true
	case present:
		return "", false
	case hasDefault:
		return fallback, true
	}
	return "", false
}

// joinSegments concatenates segments into a pattern that marks the bytes of
// the literal ones.
func joinSegments(segments []segment) pattern {
	var b strings.Builder
	var literal []bool
	for _, seg := range segments {
		if seg.literal && seg.text != "" && literal == nil {
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
