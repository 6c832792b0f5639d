package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/policy"
)

type policyLintOptions struct {
	libraryOptions
	Output string
	Target string // profile name or policy file
	Access string
}

func newPolicyLintCommand(g *GlobalOptions) *cobra.Command {
	o := &policyLintOptions{}
	cmd := &cobra.Command{
		Use:   "lint PROFILE|PROFILE.yaml|FILE.json",
		Short: "Report escalation paths, unscoped writes, unknown actions and impossible resources",
		Long: "lint checks a policy document, or a profile (by name or YAML file) rendered for a\nsample service \"app\", " +
			"stage \"prod\" in us-east-1. Escalation paths whose grants are all scoped to named\n" +
			"resources or bounded by a condition are reported as info; deploying needs some of\n" +
			"them. It exits with status 1 when a finding has severity high.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Output, o.Target = g.Output, args[0]
			return runPolicyLint(o, g.streams)
		},
	}
	o.libraryOptions.bind(cmd.Flags())
	cmd.Flags().StringVar(&o.Access, "access", string(library.AccessRestricted), "access level a profile is rendered with: broad or restricted")
	return cmd
}

func runPolicyLint(o *policyLintOptions, streams Streams) error {
	findings, err := o.findings()
	if err != nil {
		return err
	}
	if findings == nil {
		findings = []library.Finding{}
	}
	if o.Output == "json" {
		err = writeJSON(streams.Out, findings)
	} else {
		err = writeFindings(streams, findings)
	}
	if err != nil {
		return err
	}
	high := 0
	for _, f := range findings {
		if f.Severity == library.SeverityHigh {
			high++
		}
	}
	if high > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("%d high-severity findings in %s", high, o.Target)}
	}
	return nil
}

func (o *policyLintOptions) findings() ([]library.Finding, error) {
	if isPolicyFile(o.Target) {
		data, err := os.ReadFile(o.Target)
		if err != nil {
			return nil, fmt.Errorf("read policy: %w", err)
		}
		doc, err := policy.ParseDocument(data)
		if err != nil {
			return nil, WithHint(fmt.Errorf("parse policy %s: %w", o.Target, err), "pass an IAM policy document in JSON")
		}
		return library.Lint([]policy.NamedPolicy{{Name: filepath.Base(o.Target), Document: doc}}), nil
	}

	access := library.Access(o.Access)
	if access != library.AccessBroad && access != library.AccessRestricted {
		return nil, WithHint(fmt.Errorf("invalid --access %q", o.Access), "use --access broad or --access restricted")
	}
	name := o.Target
	if isProfileFile(o.Target) {
		// Load the file's directory as a library and find the profile the
		// file defines.
		o.Dirs = append(o.Dirs, filepath.Dir(o.Target))
	}
	l, err := o.load()
	if err != nil {
		return nil, err
	}
	if isProfileFile(o.Target) {
		if name, err = profileInFile(l, o.Target); err != nil {
			return nil, err
		}
	}
	if _, err := l.Profile(name); err != nil {
		return nil, WithHint(err, "pass a profile from `orgstrap policy list`, a profile YAML file, or a policy file ending in .json")
	}
	t := library.SampleTarget(name)
	t.Access = access
	r, err := l.Render(t)
	if err != nil {
		return nil, err
	}
	return library.LintRendered(r), nil
}

// isPolicyFile reports whether the argument names a policy document rather
// than a profile: it ends in .json, or it exists on disk and is no YAML file.
func isPolicyFile(arg string) bool {
	if strings.HasSuffix(arg, ".json") {
		return true
	}
	if isProfileFile(arg) {
		return false
	}
	_, err := os.Stat(arg)
	return err == nil
}

func isProfileFile(arg string) bool {
	return strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml")
}

// profileInFile returns the name of the profile loaded from path.
func profileInFile(l *library.Library, path string) (string, error) {
	want := filepath.Join(filepath.Dir(path), filepath.Base(path))
	for _, name := range l.Names() {
		if p, _ := l.Profile(name); p.File == want {
			return name, nil
		}
	}
	return "", fmt.Errorf("no profile loaded from %s: check that the file exists", path)
}

func writeFindings(streams Streams, findings []library.Finding) error {
	for _, f := range findings {
		where := f.Policy
		if f.Sid != "" {
			where += " " + f.Sid
		} else if f.Statement >= 0 {
			where += fmt.Sprintf(" statement %d", f.Statement)
		}
		fmt.Fprintf(streams.Out, "%-6s %-17s %s: %s\n", f.Severity, f.Rule, where, f.Message)
	}
	_, err := fmt.Fprintf(streams.Out, "%d findings\n", len(findings))
	return err
}
