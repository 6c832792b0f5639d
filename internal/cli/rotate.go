package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/rotate"
)

// rotateOptions are the flags of orgstrap rotate.
type rotateOptions struct {
	ConfigPath string
	Yes        bool
	Replace    bool
	Finish     bool
}

func newRotateCommand(g *GlobalOptions) *cobra.Command {
	o := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate [ENV...]",
		Short: "Rotate the deployment roles: new policy versions, trust policy and external id, older sessions revoked",
		Long: "rotate renews the deploy role of each named environment, or of every environment when none\n" +
			"is named. In place (the default) it rewrites the role's policies and trust policy from the\n" +
			"config and policy library, denies everything to sessions issued before now, and, when the\n" +
			"config uses an external id, replaces it and prints the new one once on stdout.\n\n" +
			"--replace creates the next generation of the role (NAME-g2, NAME-g3, ...), verifies it and\n" +
			"switches the AWS CLI profiles to it, leaving the old role working; --finish then deletes the\n" +
			"old role. An interrupted rotation resumes when the same command runs again.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return withFix(runRotate(cmd.Context(), g, o, args))
		},
	}
	g.addConfigFlag(cmd, &o.ConfigPath)
	flags := cmd.Flags()
	flags.BoolVarP(&o.Yes, "yes", "y", false, "rotate without asking for confirmation")
	flags.BoolVar(&o.Replace, "replace", false, "create and switch to a new generation of each role (blue/green)")
	flags.BoolVar(&o.Finish, "finish", false, "delete the roles that --replace superseded")
	cmd.MarkFlagsMutuallyExclusive("replace", "finish")
	return cmd
}

func (o *rotateOptions) mode() rotate.Mode {
	switch {
	case o.Replace:
		return rotate.ModeReplace
	case o.Finish:
		return rotate.ModeFinish
	}
	return rotate.ModeInPlace
}

func runRotate(ctx context.Context, g *GlobalOptions, o *rotateOptions, envs []string) error {
	cfg, lib, err := g.loadConfig(o.ConfigPath)
	if err != nil {
		return err
	}
	stderr := g.streams.Err
	run, err := g.newEngine(ctx, cfg, lib, stderr, engine.Options{})
	if err != nil {
		return err
	}
	defer run.close()
	rotator := rotate.New(run.Engine, cfg, rotate.Options{OnEvent: func(ev engine.Event) {
		fmt.Fprintln(stderr, formatEvent(ev))
	}})

	plan, err := rotator.Plan(ctx, envs)
	if err != nil {
		return err
	}
	mode := o.mode()
	for _, line := range plan.Describe(mode) {
		fmt.Fprintln(stderr, line)
	}
	if !o.Yes {
		ok, err := confirm(g.streams.In, stderr, "\nRotate these deploy roles?")
		if err != nil {
			return err
		}
		if !ok {
			return &ExitError{Code: 1, Err: errors.New("rotation cancelled: nothing was changed")}
		}
	}

	var results any
	switch mode {
	case rotate.ModeReplace:
		var done []rotate.Replacement
		done, err = rotator.Replace(ctx, plan)
		results = done
		if g.Output == "text" {
			printReplacements(g.streams, done)
		}
	case rotate.ModeFinish:
		var done []rotate.Finished
		done, err = rotator.Finish(ctx, plan)
		results = done
		if g.Output == "text" {
			printFinished(g.streams.Out, done)
		}
	default:
		var done []rotate.Rotation
		done, err = rotator.Rotate(ctx, plan)
		results = done
		if g.Output == "text" {
			printRotations(g.streams, done)
		}
	}
	if g.Output == "json" {
		enc := json.NewEncoder(g.streams.Out)
		enc.SetIndent("", "  ")
		if encErr := enc.Encode(results); encErr != nil {
			err = errors.Join(err, fmt.Errorf("writing the results: %w", encErr))
		}
	}
	return err
}

// printRotations writes each environment's rotation to stdout. A new
// external id appears here and nowhere else.
func printRotations(s Streams, done []rotate.Rotation) {
	withID := 0
	for _, r := range done {
		resumed := ""
		if r.Resumed {
			resumed = " (resumed)"
		}
		fmt.Fprintf(s.Out, "%s: rotated %s at %s%s; sessions issued before %s are revoked\n",
			r.Environment, r.RoleARN, r.RotatedAt.Format(time.RFC3339), resumed, r.RevokedBefore.Format(time.RFC3339))
		if r.ExternalID != "" {
			fmt.Fprintf(s.Out, "%s: new external id: %s\n", r.Environment, r.ExternalID)
			withID++
		}
	}
	if withID > 0 {
		fmt.Fprintln(s.Err, "Store the new external ids in the secret store your CI and other callers read them from,\n"+
			"such as a GitHub Actions secret. orgstrap shows them only now: AWS keeps the current one in\n"+
			"each role's trust policy, and the external_id in orgstrap.yaml is no longer used for these roles.")
	}
}

// printReplacements writes what CI must change for each new role.
func printReplacements(s Streams, done []rotate.Replacement) {
	for _, r := range done {
		fmt.Fprintf(s.Out, "%s: new deploy role %s (generation %d)\n", r.Environment, r.NewRoleARN, r.Generation)
		fmt.Fprintf(s.Out, "%s:   CI must change the role ARN from %s to %s\n", r.Environment, r.OldRoleARN, r.NewRoleARN)
		if r.ExternalID != "" {
			fmt.Fprintf(s.Out, "%s:   and the external id to %s\n", r.Environment, r.ExternalID)
		}
	}
	if len(done) > 0 {
		fmt.Fprintln(s.Err, "The previous roles keep working. Once CI uses the new ones, run orgstrap rotate --finish to delete them.")
	}
}

func printFinished(w io.Writer, done []rotate.Finished) {
	for _, f := range done {
		if f.Deleted == "" {
			fmt.Fprintf(w, "%s: nothing to delete; the deploy role is %s\n", f.Environment, f.RoleARN)
			continue
		}
		fmt.Fprintf(w, "%s: deleted %s; the deploy role is %s\n", f.Environment, f.Deleted, f.RoleARN)
	}
}

func addMaxAgeFlag(cmd *cobra.Command, maxAge *time.Duration) {
	cmd.Flags().DurationVar(maxAge, "max-age", 0,
		"exit with status 1 when a deploy role was last rotated, or if never then created, longer ago than this (such as 720h)")
}

// writeRotations writes one line per deploy role saying when it was last
// rotated and whether a rotation is unfinished.
func writeRotations(w io.Writer, statuses []engine.EnvStatus, now time.Time) {
	for _, s := range statuses {
		r := s.Rotation
		if r == nil {
			continue
		}
		line := fmt.Sprintf("%s: deploy role %s (generation %d) was never rotated; created %s, %s ago",
			s.Name, r.Role, r.Generation, r.Created.UTC().Format(time.RFC3339), engine.FormatAge(now.Sub(r.Created)))
		if r.RotatedAt != nil {
			line = fmt.Sprintf("%s: deploy role %s (generation %d) last rotated %s, %s ago",
				s.Name, r.Role, r.Generation, r.RotatedAt.UTC().Format(time.RFC3339), engine.FormatAge(now.Sub(*r.RotatedAt)))
		}
		if r.RevokedBefore != nil {
			line += "; sessions issued before " + r.RevokedBefore.UTC().Format(time.RFC3339) + " are revoked"
		}
		if r.InProgress {
			line += "; a rotation is in progress: run orgstrap rotate again to finish it"
		}
		if r.Replaces != "" {
			line += "; it replaces " + r.Replaces + ": run orgstrap rotate --finish to delete that role"
		}
		fmt.Fprintln(w, line)
	}
}

// checkRotationAge fails with exit status 1 when --max-age is set and a
// deploy role is older, for scheduled CI jobs.
func checkRotationAge(statuses []engine.EnvStatus, maxAge time.Duration, now time.Time) error {
	if maxAge <= 0 {
		return nil
	}
	if err := engine.CheckMaxAge(statuses, maxAge, now); err != nil {
		return &ExitError{Code: 1, Err: WithHint(err, "run orgstrap rotate for those environments")}
	}
	return nil
}
