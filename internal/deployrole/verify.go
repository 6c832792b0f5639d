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
// permissions boundary with iam:SimulatePrincipalPolicy. Actions that share
// a context and the same set of resources go in one request, whose cross
// product of actions and resources is then exactly the calls asked for. It
// returns a DeniedError when any call is denied; when the simulation is
// unavailable it returns a Verification with Skipped set and no error.
func (c *Client) Verify(ctx context.Context, roleARN string, calls []Call) (*Verification, error) {
	v := &Verification{}
	for _, req := range groupCalls(calls) {
		in := &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(roleARN),
			ActionNames:     req.actions,
			ResourceArns:    req.resources,
			ContextEntries:  contextEntries(req.context),
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
			v.Denied = append(v.Denied, req.denials(page.EvaluationResults)...)
		}
	}
	if len(v.Denied) > 0 {
		name := roleARN[strings.LastIndex(roleARN, "/")+1:]
		return v, access.WithFix(&DeniedError{Role: name, Denied: v.Denied},
			"the rendered policies do not allow what the deployment profile needs: check the policy library's profile and the config's services and regions")
	}
	return v, nil
}

// simulation is one SimulatePrincipalPolicy request.
type simulation struct {
	actions   []string
	resources []string
	context   map[string][]string
	calls     map[string]Call // by action and resource
}

// groupCalls groups calls by context, then actions by their set of
// resources, and drops duplicates.
func groupCalls(calls []Call) []*simulation {
	type byAction struct {
		context   map[string][]string
		resources map[string][]string // action -> resources in call order
		order     []string
	}
	contexts := map[string]*byAction{}
	var contextOrder []string
	for _, call := range calls {
		key := contextKey(call.Context)
		g := contexts[key]
		if g == nil {
			g = &byAction{context: call.Context, resources: map[string][]string{}}
			contexts[key] = g
			contextOrder = append(contextOrder, key)
		}
		if _, ok := g.resources[call.Action]; !ok {
			g.order = append(g.order, call.Action)
		}
		if !slices.Contains(g.resources[call.Action], call.Resource) {
			g.resources[call.Action] = append(g.resources[call.Action], call.Resource)
		}
	}

	var sims []*simulation
	for _, key := range contextOrder {
		g := contexts[key]
		bySet := map[string]*simulation{}
		for _, action := range g.order {
			resources := slices.Sorted(slices.Values(g.resources[action]))
			setKey := strings.Join(resources, "\x00")
			sim := bySet[setKey]
			if sim == nil {
				sim = &simulation{resources: resources, context: g.context, calls: map[string]Call{}}
				bySet[setKey] = sim
				sims = append(sims, sim)
			}
			sim.actions = append(sim.actions, action)
			for _, r := range resources {
				sim.calls[strings.ToLower(action)+"\x00"+r] = Call{Action: action, Resource: r, Context: g.context}
			}
		}
	}
	return sims
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

func contextEntries(ctx map[string][]string) []types.ContextEntry {
	var entries []types.ContextEntry
	for _, k := range sortedKeys(flatten(ctx)) {
		entries = append(entries, types.ContextEntry{
			ContextKeyName: aws.String(k), ContextKeyValues: ctx[k], ContextKeyType: types.ContextKeyTypeEnumStringList,
		})
	}
	return entries
}

func (sim *simulation) denials(results []types.EvaluationResult) []Denial {
	var denied []Denial
	for _, r := range results {
		if r.EvalDecision == types.PolicyEvaluationDecisionTypeAllowed {
			continue
		}
		action, resource := aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName)
		call, ok := sim.calls[strings.ToLower(action)+"\x00"+resource]
		if !ok {
			call = Call{Action: action, Resource: resource, Context: sim.context}
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
