package policy

import (
	"strings"
)

// setQualifier is the ForAllValues or ForAnyValue prefix of an operator.
type setQualifier int

const (
	singleValued setQualifier = iota
	forAllValues
	forAnyValue
)

// comparison reports whether one request value satisfies one policy value
// under the positive form of an operator.
type comparison func(requestValue string, policyValue pattern) bool

// baseOperator is a condition operator without its qualifiers. A negated
// operator (StringNotEquals, NotIpAddress, ...) stores the comparison of its
// positive form and is true when no policy value compares.
type baseOperator struct {
	compare   comparison
	negated   bool
	variables bool // policy variables are substituted in its values
}

var baseOperators = map[string]baseOperator{
	"StringEquals":              {compare: stringEquals, variables: true},
	"StringNotEquals":           {compare: stringEquals, negated: true, variables: true},
	"StringEqualsIgnoreCase":    {compare: stringEqualsFold, variables: true},
	"StringNotEqualsIgnoreCase": {compare: stringEqualsFold, negated: true, variables: true},
	"StringLike":                {compare: stringLike, variables: true},
	"StringNotLike":             {compare: stringLike, negated: true, variables: true},

	"NumericEquals":            {compare: numericCompare(func(c int) bool { return c == 0 })},
	"NumericNotEquals":         {compare: numericCompare(func(c int) bool { return c == 0 }), negated: true},
	"NumericLessThan":          {compare: numericCompare(func(c int) bool { return c < 0 })},
	"NumericLessThanEquals":    {compare: numericCompare(func(c int) bool { return c <= 0 })},
	"NumericGreaterThan":       {compare: numericCompare(func(c int) bool { return c > 0 })},
	"NumericGreaterThanEquals": {compare: numericCompare(func(c int) bool { return c >= 0 })},

	"DateEquals":            {compare: dateCompare(func(c int) bool { return c == 0 })},
	"DateNotEquals":         {compare: dateCompare(func(c int) bool { return c == 0 }), negated: true},
	"DateLessThan":          {compare: dateCompare(func(c int) bool { return c < 0 })},
	"DateLessThanEquals":    {compare: dateCompare(func(c int) bool { return c <= 0 })},
	"DateGreaterThan":       {compare: dateCompare(func(c int) bool { return c > 0 })},
	"DateGreaterThanEquals": {compare: dateCompare(func(c int) bool { return c >= 0 })},

	"Bool":         {compare: boolEquals},
	"BinaryEquals": {compare: binaryEquals},

	"IpAddress":    {compare: ipInRange},
	"NotIpAddress": {compare: ipInRange, negated: true},

	"ArnEquals":    {compare: arnLike, variables: true},
	"ArnNotEquals": {compare: arnLike, negated: true, variables: true},
	"ArnLike":      {compare: arnLike, variables: true},
	"ArnNotLike":   {compare: arnLike, negated: true, variables: true},
}

// nullOperator checks only whether a key is present, so it has no
// comparison and takes neither qualifier nor IfExists.
const nullOperator = "Null"

// operator is a parsed condition operator such as
// ForAnyValue:StringLikeIfExists.
type operator struct {
	baseOperator
	name     string
	set      setQualifier
	ifExists bool
	null     bool
}

// parseOperator parses a condition operator name; IAM's names are
// case-sensitive.
func parseOperator(name string) (operator, bool) {
	op := operator{name: name}
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		op.set, rest = forAllValues, r
	} else if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		op.set, rest = forAnyValue, r
	}
	if rest == nullOperator {
		op.null = true
		return op, op.set == singleValued
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok {
		op.ifExists, rest = true, r
	}
	base, ok := baseOperators[rest]
	op.baseOperator = base
	return op, ok
}

// matchConditions reports whether every operator of a Condition element is
// true. An unknown operator is false, because IAM rejects it on write.
func (c *requestContext) matchConditions(conds Conditions, variables bool) bool {
	for name, keys := range conds {
		op, ok := parseOperator(name)
		if !ok {
			return false
		}
		for key, values := range keys {
			if !c.matchConditionKey(op, key, values, variables) {
				return false
			}
		}
	}
	return true
}

// matchConditionKey evaluates one key of an operator against its policy
// values, which are ORed (NORed for a negated operator). A missing key
// decides alone; otherwise a policy value whose variable does not resolve
// makes the key false.
func (c *requestContext) matchConditionKey(op operator, key string, values Values, variables bool) bool {
	requestValues, present := c.lookup(key)
	if op.null {
		return matchNull(values, present)
	}

	if !present {
		switch {
		case op.ifExists:
			return true
		case op.set == forAllValues:
			return true
		case op.set == forAnyValue:
			return false
		}
		return op.negated
	}

	policyValues := make([]pattern, 0, len(values))
	for _, v := range values {
		p, ok := c.expandValue(v, variables && op.variables)
		if !ok {
			return false
		}
		policyValues = append(policyValues, p)
	}

	switch op.set {
	case forAllValues:
		for _, rv := range requestValues {
			if !op.isTrueFor(rv, policyValues) {
				return false
			}
		}
		return true
	case forAnyValue:
		for _, rv := range requestValues {
			if op.isTrueFor(rv, policyValues) {
				return true
			}
		}
		return false
	}
	// A single-valued operator on a key with several values is true in its
	// positive form when any value compares, and negated when none does.
	matched := false
	for _, rv := range requestValues {
		if compareAny(op.compare, rv, policyValues) {
			matched = true
			break
		}
	}
	return matched != op.negated
}

// isTrueFor applies the operator to one request value.
func (op operator) isTrueFor(requestValue string, policyValues []pattern) bool {
	return compareAny(op.compare, requestValue, policyValues) != op.negated
}

func compareAny(compare comparison, requestValue string, policyValues []pattern) bool {
	for _, pv := range policyValues {
		if compare(requestValue, pv) {
			return true
		}
	}
	return false
}

// matchNull implements the Null operator. The value "true" matches a missing
// key and "false" a present one. Several values are ORed.
func matchNull(values Values, present bool) bool {
	for _, v := range values {
		switch strings.ToLower(v) {
		case "true":
			if !present {
				return true
			}
		case "false":
			if present {
				return true
			}
		}
	}
	return false
}
