package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orgstrap/orgstrap/internal/library"
)

// newPolicyCommand groups the commands that inspect, render, check and lint
// the policy library.
func newPolicyCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Inspect the policy library and render, check or lint deploy-role policies",
	}
	cmd.AddCommand(newPolicyListCommand(g), newPolicyShowCommand(g), newPolicyRenderCommand(g),
		newPolicyCheckCommand(g), newPolicyLintCommand(g))
	return cmd
}

// libraryOptions selects the profile directories added to the built-in ones.
type libraryOptions struct {
	Dirs []string
}

func (o *libraryOptions) bind(flags *pflag.FlagSet) {
	flags.StringSliceVar(&o.Dirs, "library", nil, "directory of extra profile YAML files (repeatable)")
}

func (o *libraryOptions) load() (*library.Library, error) {
	l, err := library.Load(o.Dirs...)
	if err != nil {
		return nil, WithHint(fmt.Errorf("load policy library: %w", err),
			"fix the profile files named above; `orgstrap policy show serverless-framework` shows a valid profile")
	}
	return l, nil
}

type policyListOptions struct {
	libraryOptions
	Output string
}

func newPolicyListCommand(g *GlobalOptions) *cobra.Command {
	o := &policyListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the profiles in the policy library",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Output = g.Output
			return runPolicyList(o, g.streams)
		},
	}
	o.libraryOptions.bind(cmd.Flags())
	return cmd
}

type profileSummary struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	File        string `json:"file"`
}

func runPolicyList(o *policyListOptions, streams Streams) error {
	l, err := o.load()
	if err != nil {
		return err
	}
	var list []profileSummary
	for _, name := range l.Names() {
		p, _ := l.Profile(name)
		list = append(list, profileSummary{Name: p.Name, Description: p.Description, File: p.File})
	}
	if o.Output == "json" {
		return writeJSON(streams.Out, list)
	}
	tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDESCRIPTION")
	for _, p := range list {
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Description)
	}
	return tw.Flush()
}

type policyShowOptions struct {
	libraryOptions
	Output string
	Name   string
}

func newPolicyShowCommand(g *GlobalOptions) *cobra.Command {
	o := &policyShowOptions{}
	cmd := &cobra.Command{
		Use:   "show PROFILE",
		Short: "Show a profile's variables, statements and the calls of each framework command",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Output, o.Name = g.Output, args[0]
			return runPolicyShow(o, g.streams)
		},
	}
	o.libraryOptions.bind(cmd.Flags())
	return cmd
}

func runPolicyShow(o *policyShowOptions, streams Streams) error {
	l, err := o.load()
	if err != nil {
		return err
	}
	p, err := l.Profile(o.Name)
	if err != nil {
		return WithHint(err, "run `orgstrap policy list` to see the profiles")
	}
	if o.Output == "json" {
		return writeJSON(streams.Out, p)
	}

	w := streams.Out
	fmt.Fprintf(w, "%s\n  %s\n  source: %s\n", p.Name, p.Description, p.File)
	if len(p.Variables) > 0 {
		fmt.Fprintln(w, "\nVariables:")
		for _, v := range p.Variables {
			fmt.Fprintf(w, "  %s = %q  %s\n", v.Name, v.Default, v.Description)
		}
	}
	fmt.Fprintln(w, "\nStatements:")
	for _, s := range p.Statements {
		fmt.Fprintf(w, "  %s (%s): %s\n", s.Sid, callerLabel(s.Caller), strings.Join(s.Actions, ", "))
	}
	for _, r := range p.Roles {
		fmt.Fprintf(w, "  role %s: %d statements\n", r.Name, len(r.Statements))
	}
	fmt.Fprintln(w, "\nEscalation-sensitive actions:")
	for _, e := range p.Escalation {
		fmt.Fprintf(w, "  %s: %s (%s)\n", e.Scope, strings.Join(e.Actions, ", "), e.Reason)
	}
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range p.Commands {
		fmt.Fprintf(w, "  %s: %s\n", c.Name, c.Description)
		for _, call := range c.Calls {
			fmt.Fprintf(w, "    %-12s %s %s\n", callerLabel(call.Caller), call.Action, call.Resource)
		}
	}
	return nil
}

func callerLabel(caller string) string {
	if caller == "" {
		return library.CallerCLI
	}
	return caller
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
