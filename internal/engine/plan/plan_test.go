package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffLines(t *testing.T) {
	before := "{\n  \"Action\": \"s3:GetObject\",\n  \"Effect\": \"Allow\"\n}"
	after := "{\n  \"Action\": \"s3:*\",\n  \"Effect\": \"Allow\"\n}"
	got := DiffLines(before, after)
	want := []string{"  {", `-   "Action": "s3:GetObject",`, `+   "Action": "s3:*",`, `    "Effect": "Allow"`, "  }"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DiffLines (-want +got):\n%s", diff)
	}
}

func TestDiffLinesCreation(t *testing.T) {
	got := DiffLines("", "{\n}")
	want := []string{"+ {", "+ }"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DiffLines (-want +got):\n%s", diff)
	}
}

func TestWriteText(t *testing.T) {
	p := &Plan{Changes: []Change{
		{Kind: KindAccount, Action: ActionCreate, Environment: "dev", Target: "acme-dev", Reason: "no account found"},
		{Kind: KindPolicy, Action: ActionUpdate, Environment: "dev", Target: "orgstrap-deploy-1",
			Reason: "the policy library changed", Before: IndentJSON(map[string]string{"a": "1"}), After: IndentJSON(map[string]string{"a": "2"})},
	}}
	var out bytes.Buffer
	if err := p.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plan: 1 to create, 1 to update", "+ [dev] create account acme-dev",
		"    no account found", `    -   "a": "1"`, `    +   "a": "2"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
}

func TestWriteJSONEmpty(t *testing.T) {
	var out bytes.Buffer
	if err := (&Plan{}).WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var decoded map[string][]Change
	if err := json.Unmarshal(out.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if changes, ok := decoded["changes"]; !ok || len(changes) != 0 {
		t.Errorf("JSON: got %s, want an empty changes list", out.String())
	}
}

func TestWarningsLeavePlanEmpty(t *testing.T) {
	p := &Plan{Warnings: []Warning{{Kind: WarningOrphanAccount, Environment: "qa", AccountID: "111111111111",
		Message: "account qa (111111111111) is tagged orgstrap:environment=qa but qa is not in orgstrap.yaml", Fix: "add it back"}}}
	if !p.Empty() {
		t.Errorf("Empty: got false, want true for a plan with warnings only")
	}
	var out bytes.Buffer
	if err := p.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"kind": "orphan-account"`) {
		t.Errorf("JSON lacks the warning:\n%s", out.String())
	}
}
