package policy

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

func stringEquals(requestValue string, p pattern) bool {
	return requestValue == p.text
}

func stringEqualsFold(requestValue string, p pattern) bool {
	return strings.EqualFold(requestValue, p.text)
}

func stringLike(requestValue string, p pattern) bool {
	return p.match(requestValue, false)
}

func arnLike(requestValue string, p pattern) bool {
	return matchARNParts(p, requestValue)
}

// numericCompare builds a comparison from a test on cmp.Compare(request,
// policy). Values that are not numbers compare as nothing.
func numericCompare(test func(int) bool) comparison {
	return func(requestValue string, p pattern) bool {
		r, err := strconv.ParseFloat(strings.TrimSpace(requestValue), 64)
		if err != nil || math.IsNaN(r) {
			return false
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(p.text), 64)
		if err != nil || math.IsNaN(v) {
			return false
		}
		return test(cmp.Compare(r, v))
	}
}

// dateCompare builds a comparison of two dates, each ISO 8601 or seconds
// since the Unix epoch.
func dateCompare(test func(int) bool) comparison {
	return func(requestValue string, p pattern) bool {
		r, ok := parseDate(requestValue)
		if !ok {
			return false
		}
		v, ok := parseDate(p.text)
		if !ok {
			return false
		}
		return test(r.Compare(v))
	}
}

// dateLayouts are the ISO 8601 forms IAM accepts in date conditions. Fractional
// seconds are accepted after the seconds of any layout. A value without a time
// zone is taken as UTC.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z07:00",
	"20060102T150405",
	"20060102",
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if isEpoch(s) {
		seconds, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, false
		}
		whole, frac := math.Modf(seconds)
		return time.Unix(int64(whole), int64(frac*1e9)).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isEpoch reports whether s is a number of seconds such as "1733270400" or
// "1733270400.5", as opposed to a compact date such as "20241204".
func isEpoch(s string) bool {
	if s == "" || len(s) == 8 && !strings.Contains(s, ".") {
		return false
	}
	digits := strings.TrimPrefix(s, "-")
	for i, r := range digits {
		if (r < '0' || r > '9') && (r != '.' || i == 0) {
			return false
		}
	}
	return digits != ""
}

func boolEquals(requestValue string, p pattern) bool {
	r, err := strconv.ParseBool(strings.ToLower(requestValue))
	if err != nil {
		return false
	}
	v, err := strconv.ParseBool(strings.ToLower(p.text))
	if err != nil {
		return false
	}
	return r == v
}

// binaryEquals compares the decoded bytes of a base64 policy value with the
// request value, which callers pass base64-encoded too. A request value that
// is not valid base64 is compared as raw bytes.
func binaryEquals(requestValue string, p pattern) bool {
	v, err := base64.StdEncoding.DecodeString(p.text)
	if err != nil {
		return false
	}
	r, err := base64.StdEncoding.DecodeString(requestValue)
	if err != nil {
		r = []byte(requestValue)
	}
	return bytes.Equal(r, v)
}

// ipInRange reports whether the request's address lies in the policy's CIDR
// block; a policy address without a prefix length is a single address.
func ipInRange(requestValue string, p pattern) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(requestValue))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	text := strings.TrimSpace(p.text)
	if !strings.Contains(text, "/") {
		single, err := netip.ParseAddr(text)
		return err == nil && single.Unmap() == addr
	}
	prefix, err := netip.ParsePrefix(text)
	if err != nil {
		return false
	}
	if prefix.Addr().Is4In6() {
		bits := prefix.Bits() - 96
		if bits < 0 {
			return false
		}
		prefix = netip.PrefixFrom(prefix.Addr().Unmap(), bits)
	}
	return prefix.Contains(addr)
}
