package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/policy"
)

// selectionOptions are the flags that select what to render.
type selectionOptions struct {
	libraryOptions
	Profiles    []string
	Access      string
	Services    []string
	Stage       string
	Regions     []string
	Account     string
	Partition   string
	ServiceRole bool
	Variables   []string
}

func (o *selectionOptions) bind(flags *pflag.FlagSet) {
	o.libraryOptions.bind(flags)
	// This --profile shadows the global one (the AWS CLI profile), which the
	// policy commands do not use because they make no AWS calls.
	flags.StringSliceVar(&o.Profiles, "profile", nil, "policy profiles to combine, comma-separated, as orgstrap policy list shows them")
	flags.StringVar(&o.Access, "access", string(library.AccessRestricted), "access level: broad (development) or restricted (production)")
	flags.StringSliceVar(&o.Services, "service", nil, "application (service) names, comma-separated")
	flags.StringVar(&o.Stage, "stage", "", "stage name, such as prod")
	flags.StringSliceVar(&o.Regions, "region", nil, "regions, comma-separated, such as us-east-1,eu-west-1")
	flags.StringVar(&o.Account, "account", "", "12-digit id of the account the deploy role is in")
	flags.StringVar(&o.Partition, "partition", library.DefaultPartition, "AWS partition: aws, aws-cn or aws-us-gov")
	flags.BoolVar(&o.ServiceRole, "service-role", false, "CloudFormation service-role mode: resource permissions go to an execution role")
	flags.StringSliceVar(&o.Variables, "var", nil, "profile variable as NAME=VALUE, such as qualifier=abc123 (repeatable)")
}

// target checks the flags and builds the render target.
func (o *selectionOptions) target() (library.Target, error) {
	missing := map[string]bool{
		"--profile (such as serverless-framework)": len(o.Profiles) == 0,
		"--service": len(o.Services) == 0,
		"--stage":   o.Stage == "",
		"--region":  len(o.Regions) == 0,
		"--account": o.Account == "",
	}
	var names []string
	for _, name := range []string{"--profile (such as serverless-framework)", "--service", "--stage", "--region", "--account"} {
		if missing[name] {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		return library.Target{}, WithHint(fmt.Errorf("missing %s", strings.Join(names, ", ")),
			"example: --profile serverless-framework --service api --stage prod --region us-east-1 --account 123456789012")
	}
	access := library.Access(o.Access)
	if access != library.AccessBroad && access != library.AccessRestricted {
		return library.Target{}, WithHint(fmt.Errorf("invalid --access %q", o.Access), "use --access broad or --access restricted")
	}
	vars := map[string]string{}
	for _, v := range o.Variables {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return library.Target{}, WithHint(fmt.Errorf("invalid --var %q", v), "write NAME=VALUE, such as --var qualifier=abc123")
		}
		vars[name] = value
	}
	return library.Target{
		Partition: o.Partition, AccountID: o.Account, Regions: o.Regions, Services: o.Services,
		Stage: o.Stage, Profiles: o.Profiles, Access: access, ServiceRole: o.ServiceRole, Variables: vars,
	}, nil
}

// render loads the library and renders the selection.
func (o *selectionOptions) render() (*library.Rendered, error) {
	t, err := o.target()
	if err != nil {
		return nil, err
	}
	l, err := o.load()
	if err != nil {
		return nil, err
	}
	r, err := l.Render(t)
	var tooMany *library.TooManyPoliciesError
	switch {
	case errors.As(err, &tooMany) && tooMany.ServiceRole:
		return nil, WithHint(err, "split the services over several accounts or regions")
	case errors.As(err, &tooMany):
		return nil, WithHint(err, "split the services over several accounts or regions, or add --service-role")
	case err != nil:
		return nil, WithHint(err, "run `orgstrap policy render --help` for the flags and their values")
	}
	return r, nil
}

type policyRenderOptions struct {
	selectionOptions
	Output string
}

func newPolicyRenderCommand(g *GlobalOptions) *cobra.Command {
	o := &policyRenderOptions{}
	cmd := &cobra.Command{
		Use:   "render --profile P[,P...] --service S[,S...] --stage STAGE --region R[,R...] --account ID",
		Short: "Render the deploy role's managed policies, boundary and execution role",
		Long: "render derives the managed policies for a deploy role from the selected profiles.\n" +
			"Restricted access scopes every statement to the services' own resources; broad access\n" +
			"is service-wide for development accounts. Policies that exceed IAM's 6,144-character\n" +
			"limit are split into PREFIX-1, PREFIX-2 and so on.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Output = g.Output
			return runPolicyRender(o, g.streams)
		},
	}
	o.selectionOptions.bind(cmd.Flags())
	return cmd
}

// renderedJSON is the JSON form of a rendering.
type renderedJSON struct {
	Policies      []namedJSON `json:"policies"`
	Boundary      *namedJSON  `json:"boundary"`
	ExecutionRole *roleJSON   `json:"executionRole,omitempty"`
	Roles         []roleJSON  `json:"roles,omitempty"`
	Digest        string      `json:"digest"`
}

type namedJSON struct {
	Name     string           `json:"name"`
	Document *policy.Document `json:"document"`
}

type roleJSON struct {
	Name              string           `json:"name"`
	Trust             *policy.Document `json:"trust"`
	Policies          []namedJSON      `json:"policies"`
	ManagedPolicyARNs []string         `json:"managedPolicyArns,omitempty"`
}

func toNamed(list []policy.NamedPolicy) []namedJSON {
	out := make([]namedJSON, 0, len(list))
	for _, p := range list {
		out = append(out, namedJSON{Name: p.Name, Document: p.Document})
	}
	return out
}

func toRole(r library.ExecutionRole) roleJSON {
	return roleJSON{Name: r.Name, Trust: r.Trust, Policies: toNamed(r.Policies), ManagedPolicyARNs: r.ManagedPolicyARNs}
}

func runPolicyRender(o *policyRenderOptions, streams Streams) error {
	r, err := o.render()
	if err != nil {
		return err
	}
	out := renderedJSON{Policies: toNamed(r.Policies), Digest: r.Digest}
	if r.Boundary != nil {
		out.Boundary = &namedJSON{Name: r.Boundary.Name, Document: r.Boundary.Document}
	}
	if r.ExecutionRole != nil {
		role := toRole(*r.ExecutionRole)
		out.ExecutionRole = &role
	}
	for _, role := range r.Roles {
		out.Roles = append(out.Roles, toRole(role))
	}
	if o.Output == "json" {
		return writeJSON(streams.Out, out)
	}
	return writeRenderedText(streams.Out, out)
}

func writeRenderedText(w io.Writer, r renderedJSON) error {
	section := func(title string, doc *policy.Document) error {
		fmt.Fprintf(w, "# %s (%d characters)\n", title, policy.Size(doc))
		return writeJSON(w, doc)
	}
	for _, p := range r.Policies {
		if err := section("Deploy role policy "+p.Name, p.Document); err != nil {
			return err
		}
	}
	if r.Boundary != nil {
		if err := section("Permissions boundary "+r.Boundary.Name, r.Boundary.Document); err != nil {
			return err
		}
	}
	roles := r.Roles
	if r.ExecutionRole != nil {
		roles = append([]roleJSON{*r.ExecutionRole}, roles...)
	}
	for _, role := range roles {
		if err := section("Role "+role.Name+" trust policy", role.Trust); err != nil {
			return err
		}
		for _, arn := range role.ManagedPolicyARNs {
			fmt.Fprintf(w, "# Role %s attaches %s\n", role.Name, arn)
		}
		for _, p := range role.Policies {
			if err := section("Role "+role.Name+" policy "+p.Name, p.Document); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprintf(w, "# Digest %s\n", r.Digest)
	return err
}
