package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
)

type planOptions struct {
	configPath       string
	detailedExitCode bool
}

func newPlanCommand(g *GlobalOptions) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the changes apply would make, with the reason for each",
		Long: "plan reads the config, discovers the organization, accounts and deployment roles\n" +
			"that exist, and prints the changes that would make AWS match the config. It makes\n" +
			"no change. Policy documents are shown as JSON line diffs. Differences apply leaves\n" +
			"alone, such as accounts tagged for environments the config no longer lists, are\n" +
			"printed as warnings on stderr and listed under \"warnings\" in --output json.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withFix(runPlan(cmd, g, o))
		},
	}
	g.addConfigFlag(cmd, &o.configPath)
	cmd.Flags().BoolVar(&o.detailedExitCode, "detailed-exitcode", false,
		"exit with 0 when there are no changes, 2 when changes are pending and 1 on error")
	return cmd
}

// writePlan writes p to out in the --output format: JSON, or the readable diff.
func (g *GlobalOptions) writePlan(out io.Writer, p *plan.Plan) error {
	if g.Output == "json" {
		return p.WriteJSON(out)
	}
	return p.WriteText(out)
}

func runPlan(cmd *cobra.Command, g *GlobalOptions, o *planOptions) error {
	ctx := cmd.Context()
	cfg, lib, err := g.loadConfig(o.configPath)
	if err != nil {
		return err
	}
	run, err := g.newEngine(ctx, cfg, lib, cmd.ErrOrStderr(), engine.Options{})
	if err != nil {
		return err
	}
	defer run.close()

	r, err := run.Plan(ctx)
	if err != nil {
		return err
	}
	err = g.writePlan(cmd.OutOrStdout(), r.Plan)
	if err != nil {
		return err
	}
	writeWarnings(cmd.ErrOrStderr(), r.Plan.Warnings)
	// Warnings leave the exit code at 0, because apply would not act on
	// them.
	if o.detailedExitCode && !r.Plan.Empty() {
		return &ExitError{Code: 2}
	}
	return nil
}

// writeWarnings writes one line per plan warning, with its fix.
func writeWarnings(w io.Writer, warnings []plan.Warning) {
	for _, warning := range warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
}
