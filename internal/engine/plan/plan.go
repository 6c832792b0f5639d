// Package plan is the list of changes orgstrap will make, and its text and
// JSON renderings. Discovery and the domain packages produce the changes;
// the engine applies them.
package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Kind is the type of resource a change touches.
type Kind string

// The resources orgstrap manages.
const (
	KindOrganization Kind = "organization"
	KindOU           Kind = "ou"
	KindAccount      Kind = "account"
	KindMove         Kind = "move"
	KindRole         Kind = "role"
	KindTrustPolicy  Kind = "trust-policy"
	KindPolicy       Kind = "policy"
	KindBoundary     Kind = "boundary"
	KindOIDCProvider Kind = "oidc-provider"
	KindTags         Kind = "tags"
	KindAWSProfile   Kind = "aws-profile"
)

// Action is the operation a change performs on its resource.
type Action string

// The actions of a change. Adopt takes an existing resource under
// orgstrap's management by tagging it. Wait waits for an operation started
// earlier, such as an account creation that a crashed run submitted.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
	ActionAdopt  Action = "adopt"
	ActionWait   Action = "wait"
)

// Change is one step of a plan.
type Change struct {
	Kind        Kind   `json:"kind"`
	Action      Action `json:"action"`
	Environment string `json:"environment,omitempty"`
	// Target names the resource: an account name, an OU path, a role or
	// policy name, or an AWS CLI profile.
	Target string `json:"target"`
	Reason string `json:"reason"`
	// Before and After are the policy documents (indented JSON) of a
	// document change; empty when there is none on that side.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// Warning is a difference between the config and AWS that apply does not
// change, with what the user can do about it.
type Warning struct {
	// Kind is WarningOrphanAccount or WarningAccountDrift.
	Kind        string `json:"kind"`
	Environment string `json:"environment,omitempty"`
	// AccountID is the account the warning is about.
	AccountID string `json:"account_id"`
	Message   string `json:"message"`
	Fix       string `json:"fix"`
}

// The kinds of warnings.
const (
	// WarningOrphanAccount is an account tagged for an environment that the
	// config no longer lists. orgstrap never closes accounts, because AWS
	// keeps a closed account suspended for 90 days.
	WarningOrphanAccount = "orphan-account"
	// WarningAccountDrift is an account whose name or root email differs
	// from the config, which orgstrap has no API call to change.
	WarningAccountDrift = "account-drift"
)

// String returns the warning as one line of text.
func (w Warning) String() string { return w.Message + ": " + w.Fix }

// Plan is the ordered list of changes: organization and OUs first, then
// each environment's account, move and role changes, then profiles.
// Warnings list what apply leaves alone.
type Plan struct {
	Changes  []Change  `json:"changes"`
	Warnings []Warning `json:"warnings,omitempty"`
}

// Empty reports whether the plan changes nothing. Warnings do not count,
// because apply does not act on them.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// ForEnvironment returns the changes of one environment.
func (p *Plan) ForEnvironment(name string) []Change {
	var changes []Change
	for _, c := range p.Changes {
		if c.Environment == name {
			changes = append(changes, c)
		}
	}
	return changes
}

// Counts returns how many changes there are of each action.
func (p *Plan) Counts() map[Action]int {
	counts := map[Action]int{}
	for _, c := range p.Changes {
		counts[c.Action]++
	}
	return counts
}

// WriteJSON writes the plan as indented JSON.
func (p *Plan) WriteJSON(w io.Writer) error {
	out := *p
	if out.Changes == nil {
		out.Changes = []Change{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

var actionSymbols = map[Action]string{
	ActionCreate: "+", ActionUpdate: "~", ActionDelete: "-", ActionAdopt: "=", ActionWait: "*",
}

// WriteText writes the plan as a readable diff: one line per change with
// its reason, and document changes as JSON line diffs.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	if p.Empty() {
		b.WriteString("No changes: AWS matches the config.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	counts := p.Counts()
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d to delete, %d to adopt, %d to wait for.\n",
		counts[ActionCreate], counts[ActionUpdate], counts[ActionDelete], counts[ActionAdopt], counts[ActionWait])
	for _, c := range p.Changes {
		b.WriteString("\n")
		scope := ""
		if c.Environment != "" {
			scope = "[" + c.Environment + "] "
		}
		fmt.Fprintf(&b, "%s %s%s %s %s\n", actionSymbols[c.Action], scope, c.Action, c.Kind, c.Target)
		if c.Reason != "" {
			fmt.Fprintf(&b, "    %s\n", c.Reason)
		}
		if c.Before != "" || c.After != "" {
			for _, line := range DiffLines(c.Before, c.After) {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
