package deployrole

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/access"
)

// Call is one API call the role must be allowed to make.
type Call struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Denial is a required call the simulation denied.
type Denial struct {
	Call     Call
	Decision string // implicitDeny or explicitDeny
}

// Verification is the outcome of simulating a role's required calls.
type Verification struct {
	// Skipped is set, with the reason, when the simulation could not run.
	Skipped string
	Checked int
	Denied  []Denial
}

// DeniedError fails an apply whose role cannot make its required calls.
type DeniedError struct {
	Role   string
	Denied []Denial
}

func (e *DeniedError) Error() string {
	lines := make([]string, 0, len(e.Denied))
	for _, d := range e.Denied {
		lines = append(lines, fmt.Sprintf("%s on %s (%s)", d.Call.Action, d.Call.Resource, d.Decision))
	}
	return fmt.Sprintf("verifying role %s: %d required calls are denied: %s", e.Role, len(e.Denied), strings.Join(lines, "; "))
}

// unavailableCodes mean the simulation itself cannot run, as opposed to a
// failed check: the caller may not simulate, or the endpoint lacks it.
var unavailableCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "InvalidAction": true,
	"NotImplemented": true, "UnknownOperationException": true, "UnsupportedOperation": true,
}

// Verify simulates calls against the role's attached policies and
// permissions boundary with iam:SimulatePrincipalPolicy. Calls sharing a
// resource and context go in one request. It returns a DeniedError when
// any call is denied; when the simulation is unavailable it returns a
// Verification with Skipped set and no error.
func (c *Client) Verify(ctx context.Context, roleARN string, calls []Call) (*Verification, error) {
	v := &Verification{}
	for _, group := range groupCalls(calls) {
		in := &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(roleARN),
			ActionNames:     actions(group),
			ResourceArns:    []string{group[0].Resource},
			ContextEntries:  contextEntries(group[0].Context),
		}
		p := iam.NewSimulatePrincipalPolicyPaginator(c.api, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				if code := access.ErrorCode(err); unavailableCodes[code] {
					v.Skipped = fmt.Sprintf("iam:SimulatePrincipalPolicy is unavailable (%s): %v", code, err)
					return v, nil
				}
				return nil, fmt.Errorf("verifying role %s: %w", roleARN, err)
			}
			v.Checked += len(page.EvaluationResults)
			v.Denied = append(v.Denied, denials(group, page.EvaluationResults)...)
		}
	}
	if len(v.Denied) > 0 {
		name := roleARN[strings.LastIndex(roleARN, "/")+1:]
		return v, access.WithFix(&DeniedError{Role: name, Denied: v.Denied},
			"the rendered policies do not allow what the deployment profile needs: check the policy library's profile and the config's services and regions")
	}
	return v, nil
}

func groupCalls(calls []Call) [][]Call {
	index := map[string]int{}
	var groups [][]Call
	for _, call := range calls {
		key := call.Resource + "\x00" + contextKey(call.Context)
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		if !slices.ContainsFunc(groups[i], func(c Call) bool { return c.Action == call.Action }) {
			groups[i] = append(groups[i], call)
		}
	}
	return groups
}

func contextKey(ctx map[string][]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(flatten(ctx)) {
		b.WriteString(k + "=" + strings.Join(ctx[k], ",") + ";")
	}
	return b.String()
}

func flatten(ctx map[string][]string) map[string]string {
	m := make(map[string]string, len(ctx))
	for k, v := range ctx {
		m[k] = strings.Join(v, ",")
	}
	return m
}

func actions(group []Call) []string {
	names := make([]string, 0, len(group))
	for _, c := range group {
		names = append(names, c.Action)
	}
	return names
}

func contextEntries(ctx map[string][]string) []types.ContextEntry {
	var entries []types.ContextEntry
	for _, k := range sortedKeys(flatten(ctx)) {
		entries = append(entries, types.ContextEntry{
			ContextKeyName: aws.String(k), ContextKeyValues: ctx[k], ContextKeyType: types.ContextKeyTypeEnumStringList,
		})
	}
	return entries
}

func denials(group []Call, results []types.EvaluationResult) []Denial {
	var denied []Denial
	for _, r := range results {
		if r.EvalDecision == types.PolicyEvaluationDecisionTypeAllowed {
			continue
		}
		action := aws.ToString(r.EvalActionName)
		i := slices.IndexFunc(group, func(c Call) bool { return strings.EqualFold(c.Action, action) })
		call := Call{Action: action, Resource: aws.ToString(r.EvalResourceName)}
		if i >= 0 {
			call = group[i]
		}
		denied = append(denied, Denial{Call: call, Decision: string(r.EvalDecision)})
	}
	return denied
}

// IsDenied reports whether err is a DeniedError.
func IsDenied(err error) bool {
	var d *DeniedError
	return errors.As(err, &d)
}
