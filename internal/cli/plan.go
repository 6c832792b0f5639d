package cli

import (
	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/engine"
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
			"no change. Policy documents are shown as JSON line diffs.",
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
	if g.Output == "json" {
		err = r.Plan.WriteJSON(cmd.OutOrStdout())
	} else {
		err = r.Plan.WriteText(cmd.OutOrStdout())
	}
	if err != nil {
		return err
	}
	if o.detailedExitCode && !r.Plan.Empty() {
		return &ExitError{Code: 2}
	}
	return nil
}
