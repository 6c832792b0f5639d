package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/engine"
)

func newStatusCommand(g *GlobalOptions) *cobra.Command {
	var configPath string
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each environment's account, OU, roles and drift",
		Long: "status reports, per environment, the account id, its OU and state, the role ARNs and\n" +
			"the drift: in-sync, pending (the config or policy library changed), changed-outside\n" +
			"(AWS was changed outside orgstrap) or missing. Accounts tagged for an environment\n" +
			"the config does not list follow with the drift not-in-config. It makes no change.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withFix(runStatus(cmd, g, configPath, maxAge))
		},
	}
	g.addConfigFlag(cmd, &configPath)
	addMaxAgeFlag(cmd, &maxAge)
	return cmd
}

func runStatus(cmd *cobra.Command, g *GlobalOptions, configPath string, maxAge time.Duration) error {
	ctx := cmd.Context()
	cfg, lib, err := g.loadConfig(configPath)
	if err != nil {
		return err
	}
	run, err := g.newEngine(ctx, cfg, lib, cmd.ErrOrStderr(), engine.Options{})
	if err != nil {
		return err
	}
	defer run.close()

	statuses, err := run.Status(ctx)
	if err != nil {
		return err
	}
	if g.Output == "json" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"environments": statuses}); err != nil {
			return err
		}
		return checkRotationAge(statuses, maxAge, time.Now())
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ENVIRONMENT\tACCOUNT\tOU\tSTATE\tDRIFT\tROLES")
	for _, s := range statuses {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, dash(s.AccountID), s.OU, dash(s.State), s.Drift, dash(strings.Join(s.Roles, ",")))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, s := range statuses {
		for _, c := range s.Changes {
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", s.Name, c)
		}
		for _, note := range s.Notes {
			fmt.Fprintf(cmd.OutOrStdout(), "%s: note: %s\n", s.Name, note)
		}
	}
	writeRotations(cmd.OutOrStdout(), statuses, time.Now())
	return checkRotationAge(statuses, maxAge, time.Now())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
