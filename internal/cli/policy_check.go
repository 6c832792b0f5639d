package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/library/catalog"
)

type policyCheckOptions struct {
	selectionOptions
	Output string
	Trace  string
}

func newPolicyCheckCommand(g *GlobalOptions) *cobra.Command {
	o := &policyCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check --profile P[,P...] --service S[,S...] --stage STAGE --region R[,R...] --account ID [--trace FILE]",
		Short: "Evaluate calls against the rendered policies and list every denied one",
		Long: "check renders the policies like render does, then evaluates each call with IAM's\n" +
			"evaluation logic, the permissions boundary included. Without --trace it checks the\n" +
			"calls the profiles' framework commands make. It exits with status 1 when any call\n" +
			"is denied.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Output = g.Output
			return runPolicyCheck(o, g.streams)
		},
	}
	o.selectionOptions.bind(cmd.Flags())
	cmd.Flags().StringVar(&o.Trace, "trace", "", "JSON or YAML list of {action, resource} calls to check (optional context, role)")
	return cmd
}

// traceCall is one entry of a --trace file.
type traceCall struct {
	Action   string              `yaml:"action"`
	Resource string              `yaml:"resource"`
	Context  map[string][]string `yaml:"context"`
	// Role names the rendered role that makes the call. Empty means the
	// deploy role.
	Role string `yaml:"role"`
}

func readTrace(path string) ([]library.Call, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read trace: %w", err)
	}
	var entries []traceCall
	// YAML is a superset of JSON, so one decoder reads both forms.
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return nil, WithHint(fmt.Errorf("parse trace %s: %w", path, err),
			`write a list such as [{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}]`)
	}
	calls := make([]library.Call, 0, len(entries))
	actions := catalog.Default()
	for i, e := range entries {
		if e.Action == "" || e.Resource == "" {
			return nil, WithHint(fmt.Errorf("trace %s entry %d: missing action or resource", path, i+1),
				`give every entry an action and a resource ("*" for actions without resource types)`)
		}
		// An action IAM does not know would be checked against the
		// policies' wildcards and could pass, so it is an error instead.
		if _, ok := actions.Lookup(e.Action); !ok {
			return nil, WithHint(fmt.Errorf("trace %s entry %d: %q is not an IAM action", path, i+1, e.Action),
				"spell it as the Service Authorization Reference does, such as lambda:UpdateFunctionCode")
		}
		calls = append(calls, library.Call{Command: "trace", Action: e.Action, Resource: e.Resource, Context: e.Context, Role: e.Role})
	}
	return calls, nil
}

type checkJSON struct {
	Checked int          `json:"checked"`
	Denied  []deniedJSON `json:"denied"`
}

type deniedJSON struct {
	Profile  string              `json:"profile,omitempty"`
	Command  string              `json:"command"`
	Role     string              `json:"role,omitempty"`
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context,omitempty"`
	Decision string              `json:"decision"`
	Reason   string              `json:"reason"`
}

func runPolicyCheck(o *policyCheckOptions, streams Streams) error {
	r, err := o.render()
	if err != nil {
		return err
	}
	calls := r.RequiredCalls
	if o.Trace != "" {
		if calls, err = readTrace(o.Trace); err != nil {
			return err
		}
	}
	results, err := r.Check(calls)
	if err != nil {
		return WithHint(err, "set role in the trace to \"\" (deploy role) or a role that render lists")
	}

	out := checkJSON{Checked: len(results), Denied: []deniedJSON{}}
	for _, d := range library.Denied(results) {
		out.Denied = append(out.Denied, deniedJSON{
			Profile: d.Call.Profile, Command: d.Call.Command, Role: d.Call.Role, Action: d.Call.Action,
			Resource: d.Call.Resource, Context: d.Call.Context,
			Decision: d.Evaluation.Decision.String(), Reason: d.Evaluation.Reason,
		})
	}
	if o.Output == "json" {
		err = writeJSON(streams.Out, out)
	} else {
		err = writeCheckText(streams, out)
	}
	if err != nil {
		return err
	}
	if len(out.Denied) > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("%d of %d calls denied", len(out.Denied), out.Checked)}
	}
	return nil
}

func writeCheckText(streams Streams, out checkJSON) error {
	for _, d := range out.Denied {
		caller := "deploy role"
		if d.Role != "" {
			caller = d.Role
		}
		source := d.Command
		if d.Profile != "" {
			source = d.Profile + " " + d.Command
		}
		fmt.Fprintf(streams.Out, "DENIED %s on %s\n  by: %s (%s)\n  %s: %s\n", d.Action, d.Resource, caller, source, d.Decision, d.Reason)
	}
	_, err := fmt.Fprintf(streams.Out, "%d of %d calls allowed\n", out.Checked-len(out.Denied), out.Checked)
	return err
}
