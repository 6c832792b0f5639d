package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/library"
)

func newEnvCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Edit the environments in the config",
	}
	cmd.AddCommand(newEnvAddCommand(g))
	return cmd
}

type envAddOptions struct {
	g          *GlobalOptions
	configPath string
	env        config.Environment
	access     string
}

func newEnvAddCommand(g *GlobalOptions) *cobra.Command {
	o := &envAddOptions{g: g}
	cmd := &cobra.Command{
		Use:   "add NAME --email EMAIL --access broad|restricted",
		Short: "Add an environment to the config, keeping its comments",
		Long: "env add appends an environment to the config file and validates the result; the\n" +
			"file is left unchanged when the new environment is invalid. Run apply to create it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.env.Name = args[0]
			o.env.Access = config.Access(o.access)
			return withFix(runEnvAdd(cmd, o))
		},
	}
	g.addConfigFlag(cmd, &o.configPath)
	flags := cmd.Flags()
	flags.StringVar(&o.env.Email, "email", "", "email of the account's root user, unique across AWS (required)")
	flags.StringVar(&o.access, "access", "", "access of the deployment role: broad or restricted (required)")
	flags.StringVar(&o.env.OU, "ou", "", "OU path such as Workloads/Dev (default: the root)")
	flags.StringVar(&o.env.AccountName, "account-name", "", "account name (default: the environment name)")
	flags.StringVar(&o.env.AccountID, "account-id", "", "adopt this existing member account instead of creating one")
	flags.StringVar(&o.env.Stage, "stage", "", "deployment stage used in resource names (default: the environment name)")
	_ = cmd.MarkFlagRequired("email")
	_ = cmd.MarkFlagRequired("access")
	return cmd
}

func runEnvAdd(cmd *cobra.Command, o *envAddOptions) error {
	var lib *library.Library
	cfg, err := config.AddEnvironment(o.configPath, o.env, o.g.libraryOptions(&lib))
	var cfgErr *config.Error
	if errors.As(err, &cfgErr) {
		return WithHint(fmt.Errorf("adding environment %s: %w", o.env.Name, err), "change the flags named above; the file was not changed")
	}
	if err != nil {
		return fmt.Errorf("adding environment %s: %w", o.env.Name, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Added environment %s to %s (%d environments). Run orgstrap plan to see the changes.\n",
		o.env.Name, cfg.Path, len(cfg.Environments))
	return nil
}
