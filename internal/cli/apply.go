package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/engine"
)

type applyOptions struct {
	configPath  string
	yes         bool
	parallelism int
}

func newApplyCommand(g *GlobalOptions) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Create or update the organization, accounts and deployment roles",
		Long: "apply shows the plan, asks for confirmation unless --yes is given, and makes the\n" +
			"changes, working on environments in parallel. It keeps no state: running it again,\n" +
			"also after an interruption, continues from what AWS holds.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withFix(runApply(cmd, g, o))
		},
	}
	g.addConfigFlag(cmd, &o.configPath)
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "apply without asking for confirmation")
	cmd.Flags().IntVar(&o.parallelism, "parallelism", 10, "number of environments worked on at once")
	return cmd
}

func runApply(cmd *cobra.Command, g *GlobalOptions, o *applyOptions) error {
	ctx := cmd.Context()
	if o.parallelism < 1 {
		return WithHint(fmt.Errorf("invalid --parallelism %d", o.parallelism), "use 1 or more")
	}
	cfg, lib, err := g.loadConfig(o.configPath)
	if err != nil {
		return err
	}
	run, err := g.newEngine(ctx, cfg, lib, cmd.ErrOrStderr(), engine.Options{Parallelism: o.parallelism})
	if err != nil {
		return err
	}
	defer run.close()

	r, err := run.Plan(ctx)
	if err != nil {
		return err
	}
	err = g.writePlan(cmd.OutOrStdout(), r.Plan)
	if err != nil || r.Plan.Empty() {
		return err
	}
	if !o.yes {
		question := fmt.Sprintf("\nApply these %d changes?", len(r.Plan.Changes))
		ok, err := confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), question)
		if err != nil {
			return err
		}
		if !ok {
			return &ExitError{Code: 1, Err: fmt.Errorf("apply cancelled: nothing was changed")}
		}
	}
	if err := run.Apply(ctx, r); err != nil {
		return fmt.Errorf("applying %s: %w", o.configPath, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Apply complete: %d changes made.\n", len(r.Plan.Changes))
	return nil
}
