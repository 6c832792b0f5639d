package library

import (
	"fmt"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// CheckResult is the evaluation of one call against the rendered policies.
type CheckResult struct {
	Call       Call
	Evaluation policy.Evaluation
}

// Check evaluates each call against the policies of the role that makes it:
// the deploy role's policies and boundary, or the execution or profile
// role's policies.
func (r *Rendered) Check(calls []Call) ([]CheckResult, error) {
	results := make([]CheckResult, 0, len(calls))
	for _, c := range calls {
		identity, boundary, err := r.Find(c.Role)
		if err != nil {
			return nil, fmt.Errorf("check %s on %s: %w", c.Action, c.Resource, err)
		}
		req := policy.Request{Action: c.Action, Resource: c.Resource, Context: c.Context}
		results = append(results, CheckResult{Call: c, Evaluation: policy.Evaluate(req, identity, boundary)})
	}
	return results, nil
}

// Denied returns the results whose calls are not allowed.
func Denied(results []CheckResult) []CheckResult {
	var out []CheckResult
	for _, res := range results {
		if res.Evaluation.Decision != policy.Allow {
			out = append(out, res)
		}
	}
	return out
}
