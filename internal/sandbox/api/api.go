// Package api holds the types shared by the sandbox's protocol layer and its
// service implementations: the authenticated caller and the AWS error that a
// handler returns.
package api

import (
	"fmt"
	"net/http"
	"time"
)

// Error is an AWS API error as the sandbox sends it: the protocol layer
// encodes it as a JSON 1.1 error for Organizations and as an XML
// ErrorResponse for IAM and STS.
type Error struct {
	// Code is AWS's error code, such as NoSuchEntity or
	// AccountNotFoundException.
	Code string
	// Message is the human-readable text AWS would send.
	Message string
	// Status is the HTTP status code; zero means 400.
	Status int
	// Reason is the Reason member of Organizations errors that have one,
	// such as ConstraintViolationException.
	Reason string
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// HTTPStatus returns the status code, defaulting to 400 Bad Request.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// Errorf returns an Error with a 400 status and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// PrincipalKind is the kind of IAM identity that signed a request.
type PrincipalKind string

// The identities the sandbox issues credentials for.
const (
	KindRoot        PrincipalKind = "root"
	KindUser        PrincipalKind = "user"
	KindAssumedRole PrincipalKind = "assumed-role"
)

// Caller is the principal that signed a request, resolved from its access
// key (and session token for temporary credentials).
type Caller struct {
	Kind      PrincipalKind
	AccountID string
	// ARN is the caller's ARN as GetCallerIdentity returns it, for example
	// arn:aws:sts::123456789012:assumed-role/Deploy/session.
	ARN string
	// UserID is the unique id GetCallerIdentity returns: AIDA... for a user,
	// AROA...:session for an assumed role.
	UserID string
	// Name is the user name, or the role name for an assumed role.
	Name string
	// PrincipalARN is the IAM ARN that policies name: the user's ARN, or
	// the role's ARN (arn:aws:iam::ACCOUNT:role/NAME) for an assumed role.
	PrincipalARN string
	// SessionName is set for assumed roles.
	SessionName string
	// IssuedAt is when the temporary credentials were issued; zero for
	// long-term keys. It is the aws:TokenIssueTime context key.
	IssuedAt time.Time
	// Expires is when temporary credentials stop working.
	Expires time.Time
	// Chained is true when the session came from AssumeRole called with
	// assumed-role credentials; AWS caps such sessions at one hour.
	Chained bool
	// FederatedProvider is set for sessions from AssumeRoleWithWebIdentity.
	FederatedProvider string
	// AccessKeyID is the access key that signed the request.
	AccessKeyID string
	// SourceIdentity is the source identity set on the session, if any; it
	// is the aws:SourceIdentity context key.
	SourceIdentity string
}
