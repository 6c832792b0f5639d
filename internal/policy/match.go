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
// ARNs with regard to case. "?" matches one character, and "*" any run of
// characters within a colon-separated segment. A "*" that ends a segment may
// also run past colons, so "arn:aws:logs:*:*:log-group:app*" matches the
// group's log streams. Policy variables must already be substituted.
func MatchARN(pattern, arn string) bool {
	return matchResource(patternOf(pattern), arn)
}

// pattern is a policy value after variable substitution. literal, when not
// nil, marks the bytes of text that must match themselves even if they are
// "*" or "?", because they came from the escapes ${*} and ${?} or from a
// variable's value.
type pattern struct {
	text    string
	literal []bool
}

func patternOf(text string) pattern {
	return pattern{text: text}
}

func (p pattern) wildAt(i int) bool {
	return p.literal == nil || !p.literal[i]
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

// matchResource matches an ARN against a Resource pattern with IAM's
// segment rules (see MatchARN).
func matchResource(p pattern, arn string) bool {
	if p.literal == nil && p.text == "*" {
		return true
	}
	if !hasBoundedStar(p) {
		return p.match(arn, false)
	}
	return matchSegments(p, arn)
}

// segmentEndStar reports whether the "*" at i ends a segment, with at most
// further stars between it and the next colon or the end.
func segmentEndStar(p pattern, i int) bool {
	for j := i + 1; j < len(p.text); j++ {
		switch {
		case p.text[j] == ':':
			return true
		case p.text[j] != '*' || !p.wildAt(j):
			return false
		}
	}
	return true
}

// hasBoundedStar reports whether a "*" of p must stop at colons.
func hasBoundedStar(p pattern) bool {
	for i := 0; i < len(p.text); i++ {
		if p.text[i] == '*' && p.wildAt(i) && !segmentEndStar(p, i) {
			return true
		}
	}
	return false
}

// matchSegments matches with dynamic programming, because a greedy matcher
// cannot mix stars that cross colons with stars that do not. matched[j]
// records whether the pattern so far matches s[:j].
func matchSegments(p pattern, s string) bool {
	matched := make([]bool, len(s)+1)
	next := make([]bool, len(s)+1)
	matched[0] = true
	for i := 0; i < len(p.text); i++ {
		clear(next)
		c := p.text[i]
		switch {
		case c == '*' && p.wildAt(i):
			crossing := segmentEndStar(p, i)
			for j := 0; j <= len(s); j++ {
				next[j] = matched[j] || j > 0 && next[j-1] && (crossing || s[j-1] != ':')
			}
		case c == '?' && p.wildAt(i):
			for j := 0; j < len(s); j++ {
				if matched[j] {
					_, n := utf8.DecodeRuneInString(s[j:])
					next[j+n] = true
				}
			}
		default:
			for j := 0; j < len(s); j++ {
				if matched[j] && s[j] == c {
					next[j+1] = true
				}
			}
		}
		matched, next = next, matched
	}
	return matched[len(s)]
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
// its colons. A pattern with fewer than six parts matches nothing, except
// a bare "*".
func matchARNParts(p pattern, arn string) bool {
	if p.literal == nil && p.text == "*" {
		return true
	}
	parts := splitARN(p.text)
	values := splitARN(arn)
	if len(values) != 6 || len(parts) != 6 {
		return false
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
