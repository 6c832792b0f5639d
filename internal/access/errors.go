package access

import (
	"errors"
	"fmt"
	"regexp"
)

// FixError is an error with the action that resolves it, for errors a
// retry cannot fix: a quota, a duplicate email, a missing permission.
type FixError struct {
	Err error
	Fix string
}

func (e *FixError) Error() string { return e.Err.Error() }
func (e *FixError) Unwrap() error { return e.Err }

// WithFix attaches fix to err.
func WithFix(err error, fix string) error {
	return &FixError{Err: err, Fix: fix}
}

// Fix returns the fix attached anywhere in err's chain, or "".
func Fix(err error) string {
	var f *FixError
	if errors.As(err, &f) {
		return f.Fix
	}
	return ""
}

var (
	deniedAction = regexp.MustCompile(`not authorized to perform:? ([a-zA-Z0-9-]+:[a-zA-Z0-9]+)`)
	deniedBySCP  = regexp.MustCompile(`(?i)service control polic`)
)

// ExplainDenied attaches a fix to an AccessDenied error: the permission the
// caller lacks, or the service control policy that blocks it. Other errors
// are returned unchanged.
func ExplainDenied(err error, who string) error {
	if err == nil || Fix(err) != "" {
		return err
	}
	switch ErrorCode(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
	default:
		return err
	}
	msg := err.Error()
	action := "the permission named in the error"
	if m := deniedAction.FindStringSubmatch(msg); m != nil {
		action = m[1]
	}
	if deniedBySCP.MatchString(msg) {
		return WithFix(err, fmt.Sprintf(
			"a service control policy denies %s to %s: change the SCPs attached to the account or its OUs", action, who))
	}
	return WithFix(err, fmt.Sprintf("grant %s to %s, for example with AdministratorAccess in the management account", action, who))
}
