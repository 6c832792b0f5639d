package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var testProfiles = []string{"aws-cdk", "serverless-framework"}

func TestLoadExample(t *testing.T) {
	cfg, err := Load("../../orgstrap.example.yaml", Options{Profiles: testProfiles})
	if err != nil {
		t.Fatalf("Load example: %v", err)
	}
	if got := len(cfg.Environments); got != 2 {
		t.Fatalf("environments: got %d, want 2", got)
	}
	prod := cfg.Environments[1]
	if prod.Access != AccessRestricted || prod.Stage != "prod" || prod.OU != "Workloads/Prod" {
		t.Errorf("prod: got %+v", prod)
	}
	if cfg.Deployment.RoleName != DefaultRoleName {
		t.Errorf("role name: got %q, want %q", cfg.Deployment.RoleName, DefaultRoleName)
	}
	if cfg.Trust.SessionDuration != time.Hour {
		t.Errorf("session duration: got %s, want 1h", cfg.Trust.SessionDuration)
	}
	if !cfg.Trust.TrustsCaller() || !cfg.AWSProfiles.Enabled() {
		t.Errorf("caller trust and profiles should default to on")
	}
}

const validConfig = `version: 1
environments:
  - name: dev
    email: aws+dev@example.com
    ou: Workloads/Dev
    access: broad
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1]
`

func TestParseLoadsLibrary(t *testing.T) {
	text := strings.Replace(validConfig, "  profiles: [serverless-framework]\n",
		"  profiles: [custom]\n  library: [profiles, /abs/profiles]\n", 1)
	var got []string
	load := func(dirs []string) ([]string, error) {
		got = dirs
		return []string{"custom"}, nil
	}
	if _, err := Parse("conf/orgstrap.yaml", []byte(text), Options{LoadLibrary: load}); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []string{filepath.Join("conf", "profiles"), "/abs/profiles"}
	if !slices.Equal(got, want) {
		t.Errorf("library directories: got %v, want %v", got, want)
	}

	failing := func([]string) ([]string, error) { return nil, errors.New("profiles/x.yaml:3: bad") }
	_, err := Parse("conf/orgstrap.yaml", []byte(text), Options{LoadLibrary: failing})
	var cfgErr *Error
	if !errors.As(err, &cfgErr) || cfgErr.Problems[0].Path != "deployment.library" || cfgErr.Problems[0].Line != 9 {
		t.Errorf("failing library: got %v, want a problem on deployment.library at line 9", err)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(string) string
		line    int
		path    string
		message string
	}{
		{"unknown field", replace("    access: broad", "    acess: broad\n    access: broad"), 6, "environments[0].acess", `did you mean "access"`},
		{"bad email", replace("aws+dev@example.com", "not-an-email"), 4, "environments[0].email", "invalid email"},
		{"bad access", replace("access: broad", "access: full"), 6, "environments[0].access", `invalid access "full"`},
		{"unknown profile", replace("[serverless-framework]", "[terraform]"), 8, "deployment.profiles[0]", `unknown profile "terraform"`},
		{"bad region", replace("[us-east-1]", "[us-east-1, mars-1]"), 10, "deployment.regions[1]", `invalid region "mars-1"`},
		{"bad version", replace("version: 1", "version: 2"), 1, "version", "unsupported version 2"},
		{"bad duration", appendText("trust:\n  max_session_duration: 13h\n"), 12, "trust.max_session_duration", "out of range"},
		{"unparsable duration", appendText("trust:\n  max_session_duration: forever\n"), 12, "trust.max_session_duration", "invalid duration"},
		{"duplicate name", replace("deployment:", "  - name: dev\n    email: aws+dev2@example.com\n    access: broad\ndeployment:"), 7, "environments[1].name", "duplicate environment name"},
		{"duplicate email", replace("deployment:", "  - name: prod\n    email: AWS+dev@example.com\n    access: broad\ndeployment:"), 8, "environments[1].email", "duplicate email"},
		{"bad ou", replace("Workloads/Dev", "Workloads//Dev"), 5, "environments[0].ou", "invalid OU path"},
		{"bad account id", replace("    access: broad", "    access: broad\n    account_id: \"12345\""), 7, "environments[0].account_id", "invalid account id"},
		{"bad role arn", appendText("trust:\n  role_arns: [arn:aws:iam::1:user/x]\n"), 12, "trust.role_arns[0]", "invalid role ARN"},
		{"bad repository", appendText("trust:\n  github:\n    repository: nope\n    branches: [main]\n"), 13, "trust.github.repository", "invalid repository"},
		{"wrong type", replace("[us-east-1]", "us-east-1"), 10, "", "cannot unmarshal"},
		{"bad variable name", appendText("  variables:\n    bad-name: x\n"), 12, "deployment.variables.bad-name", "invalid variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("orgstrap.yaml", []byte(tt.edit(validConfig)), Options{Profiles: testProfiles})
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Fatalf("Parse: got %v, want a config error", err)
			}
			p := cfgErr.Problems[0]
			if p.Line != tt.line {
				t.Errorf("line: got %d, want %d (%v)", p.Line, tt.line, err)
			}
			if p.Path != tt.path {
				t.Errorf("path: got %q, want %q", p.Path, tt.path)
			}
			if !strings.Contains(p.Message+" "+p.Fix, tt.message) {
				t.Errorf("message: got %q, want it to contain %q", p.Message+" "+p.Fix, tt.message)
			}
			if p.Fix == "" {
				t.Errorf("fix: got none, want advice")
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	text := strings.NewReplacer("aws+dev@example.com", "x", "broad", "full").Replace(validConfig)
	_, err := Parse("orgstrap.yaml", []byte(text), Options{})
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("Parse: got %v, want a config error", err)
	}
	if got := len(cfgErr.Problems); got != 2 {
		t.Errorf("problems: got %d, want 2: %v", got, err)
	}
	if !strings.Contains(err.Error(), "orgstrap.yaml:4: environments[0].email") {
		t.Errorf("error text: got %q, want file:line: path", err)
	}
}

func TestAddEnvironmentKeepsComments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orgstrap.yaml")
	original := "# top comment\n" + strings.Replace(validConfig, "deployment:", "  # after dev\ndeployment:", 1)
	if err := os.WriteFile(path, []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	env := Environment{Name: "prod", Email: "aws+prod@example.com", Access: AccessRestricted, OU: "Workloads/Prod"}
	cfg, err := AddEnvironment(path, env, Options{Profiles: testProfiles})
	if err != nil {
		t.Fatalf("AddEnvironment: %v", err)
	}
	if got := len(cfg.Environments); got != 2 {
		t.Errorf("environments: got %d, want 2", got)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"# top comment", "name: prod", "access: restricted"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("file lacks %q:\n%s", want, data)
		}
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %v, want 0600", info.Mode().Perm())
	}
}

func TestAddEnvironmentRejectsDuplicate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orgstrap.yaml")
	if err := os.WriteFile(path, []byte(validConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	env := Environment{Name: "dev", Email: "aws+other@example.com", Access: AccessBroad}
	if _, err := AddEnvironment(path, env, Options{}); err == nil {
		t.Fatal("AddEnvironment: got nil error, want a duplicate name error")
	}
	data, _ := os.ReadFile(path)
	if string(data) != validConfig {
		t.Errorf("file changed after a rejected edit:\n%s", data)
	}
}

func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("test config lacks " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

func appendText(extra string) func(string) string {
	return func(s string) string { return s + extra }
}

func TestParseRejectsDuplicateAccountName(t *testing.T) {
	text := strings.Replace(validConfig, "deployment:", "  - name: prod\n    account_name: dev\n    email: aws+prod@example.com\n    access: broad\ndeployment:", 1)
	_, err := Parse("orgstrap.yaml", []byte(text), Options{})
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("Parse: got %v, want a config error", err)
	}
	if p := cfgErr.Problems[0]; p.Path != "environments[1].account_name" || !strings.Contains(p.Message, "duplicate account name") {
		t.Errorf("problem: got %+v, want a duplicate account name at environments[1].account_name", p)
	}
}
