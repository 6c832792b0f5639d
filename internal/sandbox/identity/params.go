package identity

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// call is one IAM or STS request: the caller (nil for unsigned
// AssumeRoleWithWebIdentity), its account and the decoded Query parameters.
type call struct {
	caller *api.Caller
	acct   *account
	params url.Values
}

// get returns a parameter, "" when absent.
func (c *call) get(name string) string { return c.params.Get(name) }

func (c *call) has(name string) bool { _, ok := c.params[name]; return ok }

// required returns a parameter or the ValidationError AWS sends when it is
// missing. AWS names the member in lowerCamelCase in that message.
func (c *call) required(name string) (string, *api.Error) {
	v, ok := c.params[name]
	if !ok || len(v) == 0 {
		return "", validationError("Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v[0], nil
}

// list returns a flattened Query list such as ActionNames.member.1,
// ActionNames.member.2, ... in index order.
func (c *call) list(name string) []string {
	var out []string
	for i := 1; ; i++ {
		key := fmt.Sprintf("%s.member.%d", name, i)
		v, ok := c.params[key]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// tags returns the Tags.member.N.Key/Value list.
func (c *call) tags(name string) ([]tag, *api.Error) {
	var out []tag
	for i := 1; ; i++ {
		prefix := fmt.Sprintf("%s.member.%d.", name, i)
		key, ok := c.params[prefix+"Key"]
		if !ok {
			break
		}
		out = append(out, tag{Key: key[0], Value: c.get(prefix + "Value")})
	}
	return out, validateTags(out)
}

// integer returns an optional integer parameter, or def when absent.
func (c *call) integer(name string, def int) (int, *api.Error) {
	v := c.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validationError("Value '%s' at '%s' failed to satisfy constraint: Member must be an integer", v, lowerFirst(name))
	}
	return n, nil
}

// boolean returns an optional boolean parameter.
func (c *call) boolean(name string) bool {
	return strings.EqualFold(c.get(name), "true")
}

// page returns the Marker and MaxItems paging parameters: IAM takes 1 to
// 1000 items a page and defaults to 100.
func (c *call) page() (offset, max int, err *api.Error) {
	max, err = c.integer("MaxItems", 100)
	if err != nil {
		return 0, 0, err
	}
	if max < 1 || max > 1000 {
		return 0, 0, validationError("Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", max)
	}
	if m := c.get("Marker"); m != "" {
		offset, convErr := strconv.Atoi(m)
		if convErr != nil || offset < 0 {
			return 0, 0, api.Errorf("InvalidInput", "Invalid Marker %q: pass the Marker of the previous response", m)
		}
		return offset, max, nil
	}
	return 0, max, nil
}

// pageOf cuts one page out of n items and returns the bounds, IsTruncated
// and the Marker of the next page.
func pageOf(n, offset, max int) (from, to int, truncated bool, marker string) {
	from = min(offset, n)
	to = min(from+max, n)
	if to < n {
		return from, to, true, strconv.Itoa(to)
	}
	return from, to, false, ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func validationError(format string, args ...any) *api.Error {
	return &api.Error{Code: "ValidationError", Status: 400,
		Message: "1 validation error detected: " + fmt.Sprintf(format, args...)}
}

func noSuchEntity(format string, args ...any) *api.Error {
	return &api.Error{Code: "NoSuchEntity", Status: 404, Message: fmt.Sprintf(format, args...)}
}

func alreadyExists(format string, args ...any) *api.Error {
	return &api.Error{Code: "EntityAlreadyExists", Status: 409, Message: fmt.Sprintf(format, args...)}
}

func limitExceeded(format string, args ...any) *api.Error {
	return &api.Error{Code: "LimitExceeded", Status: 409, Message: fmt.Sprintf(format, args...)}
}

func deleteConflict(format string, args ...any) *api.Error {
	return &api.Error{Code: "DeleteConflict", Status: 409, Message: fmt.Sprintf(format, args...)}
}

func malformed(format string, args ...any) *api.Error {
	return &api.Error{Code: "MalformedPolicyDocument", Status: 400, Message: fmt.Sprintf(format, args...)}
}

func invalidInput(format string, args ...any) *api.Error {
	return &api.Error{Code: "InvalidInput", Status: 400, Message: fmt.Sprintf(format, args...)}
}
