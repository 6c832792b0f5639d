package tui

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/orgstrap/orgstrap/internal/config"
)

// defaultFramework is chosen when the library offers it and the user has
// no config yet.
const defaultFramework = "serverless-framework"

// newDraft returns the config the wizard starts from without an
// orgstrap.yaml: a broad dev and a restricted prod environment.
func newDraft(frameworks []Framework) *config.Config {
	profiles := []string{}
	for _, f := range frameworks {
		if f.Name == defaultFramework {
			profiles = append(profiles, f.Name)
		}
	}
	if len(profiles) == 0 && len(frameworks) > 0 {
		profiles = append(profiles, frameworks[0].Name)
	}
	return &config.Config{
		Version:      config.Version,
		Organization: config.Organization{Create: true, FeatureSet: config.DefaultFeatureSet},
		Environments: []config.Environment{
			{Name: "dev", OU: "Workloads/Dev", Access: config.AccessBroad},
			{Name: "prod", OU: "Workloads/Prod", Access: config.AccessRestricted},
		},
		Deployment: config.Deployment{
			Profiles: profiles,
			Services: []string{"app"},
			Regions:  []string{"us-east-1"},
			RoleName: config.DefaultRoleName,
		},
		AWSProfiles: config.AWSProfiles{Prefix: config.DefaultProfilePrefix},
	}
}

// suggestEmail returns base with "+env" added to its local part, so that
// every account gets its own address delivered to one mailbox:
// aws@example.com becomes aws+dev@example.com. It returns "" for a base
// without "@".
func suggestEmail(base, env string) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(base), "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "+" + env + "@" + domain
}

// suggestAccountName returns the account name for env: the first label of
// the base address's domain and the environment, such as example-dev.
func suggestAccountName(base, env string) string {
	_, domain, ok := strings.Cut(strings.TrimSpace(base), "@")
	label, _, _ := strings.Cut(domain, ".")
	if !ok || label == "" {
		return env
	}
	return label + "-" + env
}

// suggestOU returns the OU path the wizard suggests for env, which must
// not be empty, such as Workloads/Dev.
func suggestOU(env string) string {
	return "Workloads/" + strings.ToUpper(env[:1]) + env[1:]
}

// defaultAccess returns the access level the wizard suggests for env:
// broad for dev, restricted for every other environment.
func defaultAccess(env string) config.Access {
	if env == "dev" {
		return config.AccessBroad
	}
	return config.AccessRestricted
}

// adoptedEnvironments returns one environment per account that orgstrap
// manages already, adopting it by id. It also returns the ids of the
// accounts whose access level is a default, because their deploy role
// could not be read, for the user to check.
func adoptedEnvironments(found []AdoptableEnvironment) ([]config.Environment, map[string]bool) {
	var envs []config.Environment
	toCheck := map[string]bool{}
	for _, f := range found {
		env := config.Environment{
			Name: f.Name, AccountName: f.Account.Name, Email: f.Account.Email,
			AccountID: f.Account.ID, OU: suggestOU(f.Name), Access: f.Access,
		}
		if f.OUFound {
			env.OU = f.OU
		}
		if env.Access == "" {
			env.Access = defaultAccess(f.Name)
			toCheck[f.Account.ID] = true
		}
		envs = append(envs, env)
	}
	return envs, toCheck
}

// encodeConfig renders cfg as orgstrap.yaml, leaving out empty fields.
func encodeConfig(cfg *config.Config) ([]byte, error) {
	root := &mapping{node: &yaml.Node{Kind: yaml.MappingNode}}
	root.scalar("version", fmt.Sprint(cfg.Version))
	org := root.mapping("organization")
	org.scalar("create", fmt.Sprint(cfg.Organization.Create))
	org.scalar("feature_set", cfg.Organization.FeatureSet)

	envs := &yaml.Node{Kind: yaml.SequenceNode}
	for _, env := range cfg.Environments {
		e := &mapping{node: &yaml.Node{Kind: yaml.MappingNode}}
		e.scalar("name", env.Name)
		e.scalar("account_name", env.AccountName)
		e.scalar("email", env.Email)
		e.scalar("ou", env.OU)
		e.scalar("access", string(env.Access))
		e.quoted("account_id", env.AccountID)
		if env.Stage != env.Name {
			e.scalar("stage", env.Stage)
		}
		envs.Content = append(envs.Content, e.node)
	}
	root.add("environments", envs)

	dep := root.mapping("deployment")
	dep.list("profiles", cfg.Deployment.Profiles)
	dep.list("services", cfg.Deployment.Services)
	dep.list("regions", cfg.Deployment.Regions)
	dep.scalar("role_name", cfg.Deployment.RoleName)
	if cfg.Deployment.ServiceRole {
		dep.scalar("service_role", "true")
	}
	dep.list("library", cfg.Deployment.Library)
	if len(cfg.Deployment.Variables) > 0 {
		vars := dep.mapping("variables")
		for _, name := range slices.Sorted(maps.Keys(cfg.Deployment.Variables)) {
			vars.quoted(name, cfg.Deployment.Variables[name])
		}
	}

	trust := root.mapping("trust")
	trust.scalar("caller", fmt.Sprint(cfg.Trust.TrustsCaller()))
	trust.list("role_arns", cfg.Trust.RoleARNs)
	if gh := cfg.Trust.GitHub; gh != nil {
		g := trust.mapping("github")
		g.scalar("repository", gh.Repository)
		g.list("branches", gh.Branches)
		g.list("environments", gh.Environments)
	}
	trust.quoted("external_id", cfg.Trust.ExternalID)
	trust.scalar("max_session_duration", cfg.Trust.MaxSessionDuration)

	profiles := root.mapping("aws_profiles")
	profiles.scalar("write", fmt.Sprint(cfg.AWSProfiles.Enabled()))
	profiles.scalar("prefix", cfg.AWSProfiles.Prefix)

	var out bytes.Buffer
	out.WriteString("# orgstrap.yaml written by the orgstrap wizard.\n")
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(root.node); err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	return out.Bytes(), nil
}

// mapping builds a YAML mapping node in insertion order.
type mapping struct{ node *yaml.Node }

func (m *mapping) add(key string, value *yaml.Node) {
	m.node.Content = append(m.node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, value)
}

func (m *mapping) scalar(key, value string) {
	if value != "" {
		m.add(key, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
	}
}

// quoted adds a string that YAML would otherwise read as a number, such as
// an account id.
func (m *mapping) quoted(key, value string) {
	if value != "" {
		m.add(key, &yaml.Node{Kind: yaml.ScalarNode, Value: value, Style: yaml.DoubleQuotedStyle})
	}
}

func (m *mapping) mapping(key string) *mapping {
	child := &mapping{node: &yaml.Node{Kind: yaml.MappingNode}}
	m.add(key, child.node)
	return child
}

func (m *mapping) list(key string, values []string) {
	if len(values) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range values {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
	}
	m.add(key, seq)
}

// checkDraft encodes cfg and parses it back with the config package's
// validation, so the wizard rejects exactly what plan and apply would. It
// returns the problems whose field path starts with prefix ("" for all),
// and the parsed config with its defaults applied.
func checkDraft(cfg *config.Config, profiles []string, prefix string) (*config.Config, []config.Problem, error) {
	data, err := encodeConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	path := cfg.Path
	if path == "" {
		path = "orgstrap.yaml"
	}
	parsed, err := config.Parse(path, data, config.Options{Profiles: profiles})
	var invalid *config.Error
	if errors.As(err, &invalid) {
		var problems []config.Problem
		for _, p := range invalid.Problems {
			if strings.HasPrefix(p.Path, prefix) {
				problems = append(problems, p)
			}
		}
		return nil, problems, nil
	}
	if err != nil {
		return nil, nil, err
	}
	parsed.Path = cfg.Path
	return parsed, nil, nil
}

// splitList parses a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// problemLines renders config problems for a screen, wrapped to width so
// that the fix at the end of a long message stays on screen.
func problemLines(problems []config.Problem, width int) string {
	var b strings.Builder
	for _, p := range problems {
		line := p.Path + ": " + p.Message
		if p.Fix != "" {
			line += " (" + p.Fix + ")"
		}
		b.WriteString(errorStyle.Render(hangingIndent("✗ ", line, width)) + "\n")
	}
	return b.String()
}
