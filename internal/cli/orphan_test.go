package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestRemovedEnvironmentThroughCLI(t *testing.T) {
	withQA := strings.Replace(cliConfig, "deployment:\n",
		"  - name: qa\n    email: aws+qa@example.com\n    ou: Workloads/Dev\n    access: broad\n"+"deployment:\n", 1)
	c := startCLISandbox(t, withQA)
	if _, stderr, err := c.run(t, "apply", "--config", c.config, "--yes"); err != nil {
		t.Fatalf("apply --yes: %v\n%s", err, stderr)
	}
	if err := os.WriteFile(c.config, []byte(cliConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	// This apply only deletes qa's AWS CLI profile.
	if _, stderr, err := c.run(t, "apply", "--config", c.config, "--yes"); err != nil {
		t.Fatalf("apply --yes without qa: %v\n%s", err, stderr)
	}

	_, stderr, err := c.run(t, "plan", "--config", c.config, "--detailed-exitcode")
	if err != nil {
		t.Errorf("plan --detailed-exitcode with only an orphan: got %v, want exit code 0", err)
	}
	if want := "warning: account qa ("; !strings.Contains(stderr, want) ||
		!strings.Contains(stderr, "is tagged orgstrap:environment=qa but qa is not in "+c.config) {
		t.Errorf("plan stderr: got %q, want the orphan warning", stderr)
	}

	out, _, err := c.run(t, "plan", "--config", c.config, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var planned struct {
		Changes  []json.RawMessage
		Warnings []struct {
			Kind, Environment string
			AccountID         string `json:"account_id"`
		}
	}
	if err := json.Unmarshal([]byte(out), &planned); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	if len(planned.Changes) != 0 {
		t.Errorf("plan JSON changes: got %d, want none", len(planned.Changes))
	}
	if len(planned.Warnings) != 1 || planned.Warnings[0].Kind != "orphan-account" || planned.Warnings[0].Environment != "qa" {
		t.Errorf("plan JSON warnings: got %+v, want one orphan-account for qa", planned.Warnings)
	}

	out, _, err = c.run(t, "status", "--config", c.config, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Environments []struct {
			Name, Drift string
			AccountID   string `json:"account_id"`
			Notes       []string
		}
	}
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	if len(status.Environments) != 2 {
		t.Fatalf("status environments: got %+v, want dev and qa", status.Environments)
	}
	qa := status.Environments[1]
	if qa.Name != "qa" || qa.Drift != "not-in-config" || qa.AccountID == "" || len(qa.Notes) != 1 {
		t.Errorf("qa status: got %+v, want drift not-in-config with its account id and a note", qa)
	}

	out, _, err = c.run(t, "status", "--config", c.config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "not-in-config") || !strings.Contains(out, "qa: note: account qa (") {
		t.Errorf("status text lacks qa's drift and note:\n%s", out)
	}
}
