package policy

import (
	"strings"
	"unicode/utf8"
)

// MatchAction reports whether an Action pattern such as "s3:Get*" matches an
// action such as "s3:GetObject". IAM compares actions without regard to case,
// service prefix included; "*" matches any run of characters and "?" one.
func MatchAction(pattern, action string) bool {
	if pattern == "*" {
		return true
	}
	return matchGlob(pattern, nil, action, true)
}

// MatchARN reports whether a Resource pattern matches an ARN. IAM compares
// ARNs with regard to case; "*" matches any run of characters, colons and
// slashes included, and "?" one character. Policy variables must already be
// substituted.
func MatchARN(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	return matchGlob(pattern, nil, arn, false)
}

// pattern is a policy value after variable substitution. literal, when not
// nil, marks the bytes of text that must match themselves even if they are
// "*" or "?", because they came from the escapes ${*} and ${?} or from a
// variable's value.
type pattern struct {
	text    string
	literal []bool
}

func (p pattern) match(s string, fold bool) bool {
	if p.literal == nil && p.text == "*" {
		return true
	}
	return matchGlob(p.text, p.literal, s, fold)
}

// matchGlob matches s against a pattern with "*" and "?" wildcards, except at
// the bytes that literal marks. fold compares ASCII letters without regard to
// case. It backtracks only to the last "*", so it runs in O(len(p)*len(s)).
func matchGlob(p string, literal []bool, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			wild := literal == nil || !literal[pi]
			switch {
			case wild && c == '*':
				starP, starS = pi, si
				pi++
				continue
			case wild && c == '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			case c == s[si] || fold && lowerASCII(c) == lowerASCII(s[si]):
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' && (literal == nil || !literal[pi]) {
		pi++
	}
	return pi == len(p)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// matchARNParts implements ArnEquals and ArnLike: IAM compares each of the
// six colon-separated parts of the ARN on its own, so a wildcard does not
// reach across a colon except in the last part (the resource), which keeps
// its colons. A pattern with fewer than six parts is matched as a whole.
func matchARNParts(p pattern, arn string) bool {
	if p.literal == nil && p.text == "*" {
		return true
	}
	parts := splitARN(p.text)
	values := splitARN(arn)
	if len(values) != 6 {
		return false
	}
	if len(parts) != 6 {
		return p.match(arn, false)
	}
	offset := 0
	for i, part := range parts {
		var lit []bool
		if p.literal != nil {
			lit = p.literal[offset : offset+len(part)]
		}
		if !matchGlob(part, lit, values[i], false) {
			return false
		}
		offset += len(part) + 1
	}
	return true
}

func splitARN(s string) []string {
	return strings.SplitN(s, ":", 6)
}
