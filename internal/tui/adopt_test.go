package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/google/go-cmp/cmp"

	"github.com/orgstrap/orgstrap/internal/config"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/engine/plan"
	"github.com/orgstrap/orgstrap/internal/sandbox"
)

// earlierRunConfig is the run, from another machine, whose accounts
// TestAdoptManagedWithoutConfig finds. Its access levels for dev and prod
// are the opposite of the wizard's defaults, prod sits in an OU the wizard
// does not suggest, and staging shares dev's OU, so the test separates
// what discovery read from what it guessed.
const earlierRunConfig = `version: 1
organization:
  create: true
environments:
  - name: dev
    account_name: acme-dev
    email: aws+dev@acme.test
    ou: Workloads/Dev
    access: restricted
  - name: prod
    account_name: acme-prod
    email: aws+prod@acme.test
    ou: Production
    access: broad
  - name: staging
    account_name: acme-staging
    email: aws+staging@acme.test
    ou: Workloads/Dev
    access: restricted
deployment:
  profiles: [serverless-framework]
  services: [orders]
  regions: [us-east-1]
`

func TestAdoptManagedWithoutConfig(t *testing.T) {
	backend, sb := newTestBackend(t, sandbox.Options{})
	applyConfig(t, backend, earlierRunConfig)
	ids := accountIDs(t, backend)
	// The wizard starts in an empty directory, but the AWS CLI profiles of
	// the earlier run stay where they are, so the test can check that the
	// apply keeps them.
	profiles, err := filepath.Abs(backend.Options.ProfileFile)
	if err != nil {
		t.Fatal(err)
	}
	backend.Options.ProfileFile = profiles
	t.Chdir(t.TempDir())
	created := sb.Calls()["organizations:CreateAccount"]

	d := newDriver(t, backend)
	view := d.waitFor("What will happen")
	t.Run("identity", func(t *testing.T) { requireGolden(t, d.screen()) })
	want := "This organization has 3 accounts managed by orgstrap but there is no orgstrap.yaml here."
	if !strings.Contains(strings.Join(strings.Fields(view), " "), want) {
		t.Errorf("the identity screen lacks %q:\n%s", want, view)
	}

	d.key("enter")
	view = d.waitFor("Base email")
	t.Run("environments", func(t *testing.T) { requireGolden(t, d.screen()) })
	for _, email := range []string{"aws+dev@acme.test", "aws+prod@acme.test", "aws+staging@acme.test"} {
		if !strings.Contains(view, email) {
			t.Errorf("the environments screen lacks %s:\n%s", email, view)
		}
	}
	wantEnvs := []config.Environment{
		{Name: "dev", AccountName: "acme-dev", Email: "aws+dev@acme.test", AccountID: ids["aws+dev@acme.test"],
			OU: "Workloads/Dev", Access: config.AccessRestricted},
		// Production is on no path the wizard suggests, so prod keeps the
		// suggested OU and the plan moves the account.
		{Name: "prod", AccountName: "acme-prod", Email: "aws+prod@acme.test", AccountID: ids["aws+prod@acme.test"],
			OU: "Workloads/Prod", Access: config.AccessBroad},
		{Name: "staging", AccountName: "acme-staging", Email: "aws+staging@acme.test",
			AccountID: ids["aws+staging@acme.test"], OU: "Workloads/Dev", Access: config.AccessRestricted},
	}
	if diff := cmp.Diff(wantEnvs, d.m.w.draft.Environments); diff != "" {
		t.Errorf("environments filled in (-want +got):\n%s", diff)
	}
	if len(d.m.w.accessToCheck) != 0 {
		t.Errorf("access levels to check: got %v, want none because both deploy roles were read", d.m.w.accessToCheck)
	}

	d.keys("up", "enter") // up from the base email wraps to Continue
	d.waitFor("Frameworks")
	d.key("enter")
	d.waitFor("Who may assume")
	d.key("enter")
	d.waitFor("Plan:")
	for _, c := range d.m.w.review.Plan.Changes {
		if c.Kind == plan.KindAccount && c.Action == plan.ActionCreate {
			t.Errorf("the plan creates account %s", c.Target)
		}
		if c.Kind == plan.KindAWSProfile && c.Action == plan.ActionDelete {
			t.Errorf("the plan deletes AWS CLI profile %s", c.Target)
		}
	}
	if !hasChange(d.m.w.review.Plan, plan.KindMove, "acme-prod to Workloads/Prod") {
		t.Errorf("the plan does not move acme-prod to the suggested OU:\n%s", d.m.w.review.Plan.Changes)
	}

	d.keys("enter", "y")
	d.waitFor("Next steps")
	if got := sb.Calls()["organizations:CreateAccount"] - created; got != 0 {
		t.Errorf("CreateAccount calls: got %d, want 0", got)
	}
	for _, env := range d.m.Result().Environments {
		if want := ids["aws+"+env.Name+"@acme.test"]; env.AccountID != want {
			t.Errorf("account of %s after apply: got %s, want the earlier run's %s", env.Name, env.AccountID, want)
		}
	}
	checkAdoptedConfig(t, backend, ids)
	checkProfiles(t, profiles, "[profile orgstrap-dev]", "[profile orgstrap-prod]", "[profile orgstrap-staging]")
}

func hasChange(p *plan.Plan, kind plan.Kind, target string) bool {
	for _, c := range p.Changes {
		if c.Kind == kind && c.Target == target {
			return true
		}
	}
	return false
}

// checkAdoptedConfig checks that the written config adopts the earlier
// run's accounts by id.
func checkAdoptedConfig(t *testing.T, backend *EngineBackend, ids map[string]string) {
	t.Helper()
	cfg, err := config.Load(backend.ConfigPath, config.Options{Profiles: backend.Library.Names()})
	if err != nil {
		t.Fatalf("loading the written config: %v", err)
	}
	var got []string
	for _, env := range cfg.Environments {
		got = append(got, env.Name+"="+env.AccountID)
	}
	want := []string{"dev=" + ids["aws+dev@acme.test"], "prod=" + ids["aws+prod@acme.test"],
		"staging=" + ids["aws+staging@acme.test"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environments written (-want +got):\n%s", diff)
	}
}

func checkProfiles(t *testing.T, path string, sections ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the AWS CLI config: %v", err)
	}
	for _, s := range sections {
		if !strings.Contains(string(data), s) {
			t.Errorf("AWS CLI config lacks %s:\n%s", s, data)
		}
	}
}

// accountIDs maps the email of each account in the sandbox to its id.
func accountIDs(t *testing.T, backend *EngineBackend) map[string]string {
	t.Helper()
	out, err := organizations.NewFromConfig(backend.AWS).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	ids := map[string]string{}
	for _, a := range out.Accounts {
		ids[aws.ToString(a.Email)] = aws.ToString(a.Id)
	}
	return ids
}

// untagAccount removes orgstrap's tags from the account with email, as if
// orgstrap had never managed it.
func untagAccount(t *testing.T, backend *EngineBackend, email string) {
	t.Helper()
	id := accountIDs(t, backend)[email]
	if id == "" {
		t.Fatalf("no account with email %s in the sandbox", email)
	}
	_, err := organizations.NewFromConfig(backend.AWS).UntagResource(context.Background(), &organizations.UntagResourceInput{
		ResourceId: aws.String(id), TagKeys: []string{engine.TagManaged, engine.TagEnvironment},
	})
	if err != nil {
		t.Fatalf("UntagResource %s: %v", id, err)
	}
}

func TestAdoptedEnvironments(t *testing.T) {
	found := []AdoptableEnvironment{
		{Name: "dev", Account: Account{ID: "111111111111", Name: "acme-dev", Email: "aws+dev@acme.test"},
			OU: "", OUFound: true, Access: config.AccessRestricted},
		{Name: "qa", Account: Account{ID: "222222222222", Name: "acme-qa", Email: "aws+qa@acme.test"}},
		{Name: "dev2", Account: Account{ID: "333333333333", Name: "acme-dev2", Email: "aws+dev2@acme.test"},
			OU: "Other", OUFound: false, Access: config.AccessBroad},
	}
	envs, toCheck := adoptedEnvironments(found)
	want := []config.Environment{
		{Name: "dev", AccountName: "acme-dev", Email: "aws+dev@acme.test", AccountID: "111111111111",
			OU: "", Access: config.AccessRestricted},
		{Name: "qa", AccountName: "acme-qa", Email: "aws+qa@acme.test", AccountID: "222222222222",
			OU: "Workloads/Qa", Access: config.AccessRestricted},
		{Name: "dev2", AccountName: "acme-dev2", Email: "aws+dev2@acme.test", AccountID: "333333333333",
			OU: "Workloads/Dev2", Access: config.AccessBroad},
	}
	if diff := cmp.Diff(want, envs); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"222222222222": true}, toCheck); diff != "" {
		t.Errorf("access levels to check (-want +got):\n%s", diff)
	}
}

// TestAdoptedAccessToCheck covers a discovery that could not read the
// deploy roles: the defaults are marked until the user saves the form.
func TestAdoptedAccessToCheck(t *testing.T) {
	d := *newOrgDiscovery
	d.Organization = &Organization{ID: "o-exampleorg", ManagementAccountID: "111122223333", Management: true}
	d.Accounts = []Account{
		{ID: "222222222222", Name: "acme-dev", Email: "aws+dev@acme.test", Environment: "dev"},
		{ID: "333333333333", Name: "acme-prod", Email: "aws+prod@acme.test", Environment: "prod"},
	}
	for _, a := range d.Accounts {
		d.Adoptable = append(d.Adoptable, AdoptableEnvironment{Name: a.Environment, Account: a})
	}
	d.AdoptableErr = errors.New("assuming the access role in 222222222222: access denied")
	m := newScreenModel(t, &d)

	view := strings.Join(strings.Fields(m.View()), " ")
	for _, want := range []string{"2 accounts managed by orgstrap", "check the OU and access of each environment",
		"assuming the access role in 222222222222: access denied"} {
		if !strings.Contains(view, want) {
			t.Errorf("the identity screen lacks %q:\n%s", want, m.View())
		}
	}

	m.Update(navigateMsg{screenEnvironments})
	view = m.View()
	for _, want := range []string{"broad?", "restricted?", "the deploy role could not be read"} {
		if !strings.Contains(view, want) {
			t.Errorf("the environments screen lacks %q:\n%s", want, view)
		}
	}
	if got := m.w.draft.Environments[0].Access; got != config.AccessBroad {
		t.Errorf("dev access: got %s, want the default broad", got)
	}
	if got := m.w.draft.Environments[1].Access; got != config.AccessRestricted {
		t.Errorf("prod access: got %s, want the default restricted", got)
	}

	// Open dev's form and save it: the user has seen its access now.
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	if m.screen.(*environmentsScreen).editing != nil {
		t.Fatalf("saving dev's form failed:\n%s", m.View())
	}
	if diff := cmp.Diff(map[string]bool{"333333333333": true}, m.w.accessToCheck); diff != "" {
		t.Errorf("access levels to check after saving dev (-want +got):\n%s", diff)
	}

	// Removing prod leaves nothing to check, so the legend goes too.
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	press(m, runes("d"))
	if got := len(m.w.draft.Environments); got != 1 {
		t.Fatalf("environments after removing prod: got %d, want 1", got)
	}
	if len(m.w.accessToCheck) != 0 {
		t.Errorf("access levels to check after removing prod: got %v, want none", m.w.accessToCheck)
	}
	if view := m.View(); strings.Contains(view, "the deploy role could not be read") {
		t.Errorf("the legend stays after removing the last marked environment:\n%s", view)
	}
}

func TestIdentityShortensAdoptableList(t *testing.T) {
	d := *newOrgDiscovery
	d.Organization = &Organization{ID: "o-exampleorg", ManagementAccountID: "111122223333", Management: true}
	for _, name := range []string{"dev", "prod", "qa", "staging", "test", "uat"} {
		d.Adoptable = append(d.Adoptable, AdoptableEnvironment{Name: name, Access: config.AccessBroad,
			Account: Account{ID: "222222222222", Name: "acme-" + name, Email: "aws+" + name + "@acme.test"}})
	}
	m := newScreenModel(t, &d)
	view := m.View()
	for _, want := range []string{"aws+qa@acme.test", "and 3 more", "Nothing changes in AWS"} {
		if !strings.Contains(view, want) {
			t.Errorf("the identity screen lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "aws+staging@acme.test") {
		t.Errorf("the identity screen lists the fourth account instead of a count:\n%s", view)
	}
	if got := len(m.w.draft.Environments); got != 6 {
		t.Errorf("environments filled in: got %d, want 6", got)
	}
}
