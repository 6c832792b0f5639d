package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/orgstrap/orgstrap/internal/config"
)

// summaryScreen shows what apply built and how to deploy with it, in a
// scrollable pane.
type summaryScreen struct {
	w        *wizard
	viewport viewport.Model
	// content is the summary before wrapping; wrapped is the width it was
	// last wrapped to.
	content string
	wrapped int
}

func newSummaryScreen(w *wizard) *summaryScreen {
	s := &summaryScreen{w: w, viewport: viewport.New(80, 10)}
	took := okStyle.Render(fmt.Sprintf("✓ Applied in %s.", w.applyTime.Round(time.Second)))
	s.content = took + "\n" + Summary(w.valid, w.result)
	s.viewport.SetContent(s.content)
	return s
}

func (s *summaryScreen) Init() tea.Cmd { return nil }

func (s *summaryScreen) Typing() bool { return false }

func (s *summaryScreen) KeyMap() keyMap {
	return keyMap{keys.Up, keys.Down, keys.PageDown, withHelp(keys.Enter, "quit"), keys.Quit}
}

func (s *summaryScreen) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, keys.Enter) {
		return tea.Quit
	}
	var cmd tea.Cmd
	s.viewport, cmd = s.viewport.Update(msg)
	return cmd
}

func (s *summaryScreen) View(width, height int) string {
	s.viewport.Width, s.viewport.Height = width, max(3, height)
	if width > 0 && width != s.wrapped {
		// The viewport cuts long lines, and ARNs in the next steps are
		// often wider than the terminal, so the summary wraps instead.
		s.viewport.SetContent(ansi.Wrap(s.content, width, ""))
		s.wrapped = width
	}
	return s.viewport.View()
}

// Summary renders what apply built: each environment's account, roles and
// profile, the files written and the next steps per framework. It is
// plain text, so the command can print it again after the wizard exits.
func Summary(cfg *config.Config, r *Result) string {
	if cfg == nil || r == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Done. The settings are saved in %s.\n\n", cfg.Path)
	nameWidth := 0
	for _, env := range r.Environments {
		nameWidth = max(nameWidth, len(env.Name))
	}
	for _, env := range r.Environments {
		fmt.Fprintf(&b, "%-*s  account  %s\n", nameWidth, env.Name, env.AccountID)
		fmt.Fprintf(&b, "%-*s  role     %s\n", nameWidth, "", env.RoleARN)
		if env.BoundaryARN != "" {
			fmt.Fprintf(&b, "%-*s  boundary %s\n", nameWidth, "", env.BoundaryARN)
		}
		if env.Profile != "" {
			fmt.Fprintf(&b, "%-*s  profile  %s\n", nameWidth, "", env.Profile)
		}
	}
	if r.ProfilesFile != "" {
		fmt.Fprintf(&b, "\nAWS CLI profiles written to %s.\n", r.ProfilesFile)
	} else {
		b.WriteString("\nNo AWS CLI profiles written (aws_profiles.write is false).\n")
	}

	b.WriteString("\nNext steps\n")
	service := "app"
	if len(cfg.Deployment.Services) > 0 {
		service = cfg.Deployment.Services[0]
	}
	for _, framework := range cfg.Deployment.Profiles {
		fmt.Fprintf(&b, "\n%s\n", framework)
		for _, env := range r.Environments {
			b.WriteString(nextSteps(framework, service, stageOf(cfg, env.Name), env))
		}
	}
	b.WriteString("\nRun `orgstrap status` to check for drift, and `orgstrap plan` after editing orgstrap.yaml.\n")
	return b.String()
}

func stageOf(cfg *config.Config, name string) string {
	if env, ok := cfg.Environment(name); ok && env.Stage != "" {
		return env.Stage
	}
	return name
}

// nextSteps returns how to deploy with one framework into one environment:
// where the permissions boundary goes in the framework's files, and the
// deploy command with the environment's profile.
func nextSteps(framework, service, stage string, env EnvironmentResult) string {
	profile := env.Profile
	if profile == "" {
		profile = "PROFILE"
	}
	var b strings.Builder
	switch framework {
	case "serverless-framework":
		if env.BoundaryARN != "" {
			fmt.Fprintf(&b, "  %s: in serverless.yml, set the boundary on the roles it creates:\n", env.Name)
			fmt.Fprintf(&b, "    provider:\n      iam:\n        role:\n          permissionsBoundary: %s\n", env.BoundaryARN)
		}
		fmt.Fprintf(&b, "  %s: serverless deploy --stage %s --aws-profile %s\n", env.Name, stage, profile)
	case "aws-sam":
		if env.BoundaryARN != "" {
			fmt.Fprintf(&b, "  %s: in template.yaml, set the boundary on every function:\n", env.Name)
			fmt.Fprintf(&b, "    Globals:\n      Function:\n        PermissionsBoundary: %s\n", env.BoundaryARN)
		}
		fmt.Fprintf(&b, "  %s: sam deploy --stack-name %s-%s --profile %s --capabilities CAPABILITY_IAM --resolve-s3\n",
			env.Name, service, stage, profile)
	case "cloudformation":
		if env.BoundaryARN != "" {
			fmt.Fprintf(&b, "  %s: give every AWS::IAM::Role in the template PermissionsBoundary: %s\n",
				env.Name, env.BoundaryARN)
		}
		fmt.Fprintf(&b, "  %s: aws cloudformation deploy --stack-name %s-%s --template-file template.yaml "+
			"--capabilities CAPABILITY_NAMED_IAM --profile %s\n", env.Name, service, stage, profile)
	case "aws-cdk":
		if env.BoundaryARN != "" {
			name := env.BoundaryARN[strings.LastIndex(env.BoundaryARN, "/")+1:]
			fmt.Fprintf(&b, "  %s: in cdk.json, add to context: \"@aws-cdk/core:permissionsBoundary\": {\"name\": \"%s\"}\n",
				env.Name, name)
		}
		fmt.Fprintf(&b, "  %s: cdk deploy --profile %s\n", env.Name, profile)
	default:
		fmt.Fprintf(&b, "  %s: deploy with the AWS CLI profile %s\n", env.Name, profile)
	}
	return b.String()
}
