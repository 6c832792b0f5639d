package identity

import (
	"testing"
)

type simResult struct {
	Results []struct {
		EvalActionName    string
		EvalResourceName  string
		EvalDecision      string
		MatchedStatements []struct {
			SourcePolicyId   string
			SourcePolicyType string
			StartPosition    struct{ Line, Column int }
			EndPosition      struct{ Line, Column int }
		} `xml:"MatchedStatements>member"`
		MissingContextValues              []string `xml:"MissingContextValues>member"`
		PermissionsBoundaryDecisionDetail *struct {
			AllowedByPermissionsBoundary bool
		}
	} `xml:"EvaluationResults>member"`
	IsTruncated bool
	Marker      string
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "PermissionsBoundary", "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
		"AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	inline := "{\"Version\":\"2012-10-17\",\"Statement\":[\n" +
		"  {\"Sid\":\"Reads\",\"Effect\":\"Allow\",\"Action\":\"iam:Get*\",\"Resource\":\"*\"},\n" +
		"  {\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"iam:DeleteRole\",\"Resource\":\"*\"}]}"
	f.iam(f.admin, "PutRolePolicy", "RoleName", "R", "PolicyName", "reads", "PolicyDocument", inline)
	f.iam(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::aws:policy/IAMFullAccess")

	var got simResult
	decode(t, f.iam(f.admin, "SimulatePrincipalPolicy",
		"PolicySourceArn", "arn:aws:iam::111111111111:role/R",
		"ActionNames.member.1", "iam:GetRole",
		"ActionNames.member.2", "iam:DeleteRole",
		"ActionNames.member.3", "iam:CreateRole",
		"ActionNames.member.4", "s3:GetObject"), &got)
	if len(got.Results) != 4 {
		t.Fatalf("got %d results, want 4", len(got.Results))
	}
	want := []struct{ action, decision, policy string }{
		{"iam:GetRole", "allowed", "reads"},
		{"iam:DeleteRole", "explicitDeny", "reads"},
		{"iam:CreateRole", "implicitDeny", ""}, // IAMFullAccess allows it, the boundary does not
		{"s3:GetObject", "implicitDeny", ""},
	}
	for i, w := range want {
		r := got.Results[i]
		if r.EvalActionName != w.action || r.EvalDecision != w.decision || r.EvalResourceName != "*" {
			t.Errorf("result %d = %s %s on %s, want %s %s on *", i, r.EvalActionName, r.EvalDecision, r.EvalResourceName, w.action, w.decision)
		}
		if w.policy == "" {
			if len(r.MatchedStatements) != 0 {
				t.Errorf("result %d matched %+v, want none", i, r.MatchedStatements)
			}
			continue
		}
		if len(r.MatchedStatements) != 1 || r.MatchedStatements[0].SourcePolicyId != w.policy || r.MatchedStatements[0].SourcePolicyType != "role" {
			t.Errorf("result %d matched %+v, want policy %s", i, r.MatchedStatements, w.policy)
		}
	}
	deny := got.Results[1].MatchedStatements[0]
	if deny.StartPosition.Line != 3 || deny.StartPosition.Column != 3 || deny.EndPosition.Line != 3 {
		t.Errorf("deny statement spans %+v to %+v, want line 3 from column 3", deny.StartPosition, deny.EndPosition)
	}
	if d := got.Results[2].PermissionsBoundaryDecisionDetail; d == nil || d.AllowedByPermissionsBoundary {
		t.Errorf("CreateRole boundary detail = %+v, want not allowed", d)
	}
	if d := got.Results[0].PermissionsBoundaryDecisionDetail; d == nil || !d.AllowedByPermissionsBoundary {
		t.Errorf("GetRole boundary detail = %+v, want allowed", d)
	}
}

func TestSimulateContextAndInputs(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	cond := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"arn:aws:iam::111111111111:role/app/*",
		"Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::111111111111:policy/B"}}}]}`
	base := []string{
		"PolicySourceArn", "arn:aws:iam::111111111111:role/R",
		"PolicyInputList.member.1", cond,
		"ActionNames.member.1", "iam:CreateRole",
		"ResourceArns.member.1", "arn:aws:iam::111111111111:role/app/X",
		"ResourceArns.member.2", "arn:aws:iam::111111111111:role/Y",
	}
	var without simResult
	decode(t, f.iam(f.admin, "SimulatePrincipalPolicy", base...), &without)
	if len(without.Results) != 2 || without.Results[0].EvalDecision != "implicitDeny" {
		t.Fatalf("without context = %+v, want two implicit denies", without.Results)
	}
	if m := without.Results[0].MissingContextValues; len(m) != 1 || m[0] != "iam:PermissionsBoundary" {
		t.Errorf("MissingContextValues = %v, want [iam:PermissionsBoundary]", m)
	}

	withContext := append(base,
		"ContextEntries.member.1.ContextKeyName", "iam:PermissionsBoundary",
		"ContextEntries.member.1.ContextKeyType", "string",
		"ContextEntries.member.1.ContextKeyValues.member.1", "arn:aws:iam::111111111111:policy/B")
	var with simResult
	decode(t, f.iam(f.admin, "SimulatePrincipalPolicy", withContext...), &with)
	if with.Results[0].EvalDecision != "allowed" || with.Results[1].EvalDecision != "implicitDeny" {
		t.Errorf("with context = %s, %s; want allowed, implicitDeny", with.Results[0].EvalDecision, with.Results[1].EvalDecision)
	}
	if m := with.Results[0].MatchedStatements; len(m) != 1 || m[0].SourcePolicyId != "PolicyInputList.1" {
		t.Errorf("matched = %+v, want PolicyInputList.1", m)
	}

	var paged simResult
	decode(t, f.iam(f.admin, "SimulatePrincipalPolicy", append(withContext, "MaxItems", "1")...), &paged)
	if len(paged.Results) != 1 || !paged.IsTruncated || paged.Marker == "" {
		t.Errorf("paged = %+v, want one result and a marker", paged)
	}
	wantCode(t, f.iamErr(f.admin, "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam::111111111111:role/Nope",
		"ActionNames.member.1", "iam:GetRole"), "NoSuchEntity")
}

func TestSimulateCustomPolicy(t *testing.T) {
	f := newFixture(t, Options{})
	var got simResult
	decode(t, f.iam(f.admin, "SimulateCustomPolicy",
		"PolicyInputList.member.1", adminPolicy,
		"PermissionsBoundaryPolicyInputList.member.1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		"ActionNames.member.1", "s3:PutObject",
		"ActionNames.member.2", "iam:CreateRole"), &got)
	if len(got.Results) != 2 || got.Results[0].EvalDecision != "allowed" || got.Results[1].EvalDecision != "implicitDeny" {
		t.Errorf("results = %+v, want allowed then implicitDeny", got.Results)
	}
	wantCode(t, f.iamErr(f.admin, "SimulateCustomPolicy", "ActionNames.member.1", "s3:PutObject"), "ValidationError")
	wantCode(t, f.iamErr(f.admin, "SimulateCustomPolicy", "PolicyInputList.member.1", "{", "ActionNames.member.1", "s3:PutObject"), "MalformedPolicyDocument")
}
