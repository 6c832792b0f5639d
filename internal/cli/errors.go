package cli

import "errors"

// HintError carries advice for the user beside an error, so the message
// chain stays plain and main prints the advice on its own line.
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// WithHint wraps err with advice for the user.
func WithHint(err error, hint string) error {
	return &HintError{Err: err, Hint: hint}
}

// ExitError makes main exit with Code. A nil Err means the command already
// reported what happened, as plan --detailed-exitcode does for pending
// changes.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Hint returns the advice attached anywhere in err's chain, or "".
func Hint(err error) string {
	var h *HintError
	if errors.As(err, &h) {
		return h.Hint
	}
	return ""
}
