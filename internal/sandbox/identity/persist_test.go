package identity

import (
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	f := newFixture(t, Options{EnforceIAM: true})
	f.iam(f.admin, "CreatePolicy", "PolicyName", "P", "PolicyDocument", adminPolicy)
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "AttachRolePolicy", "RoleName", "R", "PolicyArn", "arn:aws:iam::111111111111:policy/P")
	_, out := f.assume(f.admin, "arn:aws:iam::111111111111:role/R")

	data, err := f.store.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	restored := NewStore(Options{EnforceIAM: true, Now: f.clock.Now})
	if err := restored.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}

	_, sc, apiErr := restored.Credentials(out.Credentials.AccessKeyId, out.Credentials.SessionToken)
	if apiErr != nil {
		t.Fatalf("restored session: %v", apiErr)
	}
	if _, _, apiErr := restored.HandleIAM(sc, "ListRoles", params()); apiErr != nil {
		t.Errorf("restored session ListRoles: %v", apiErr)
	}
	if _, _, apiErr := restored.Credentials(f.admin.AccessKeyID, ""); apiErr != nil {
		t.Errorf("restored admin key: %v", apiErr)
	}
	if err := restored.UnmarshalJSON([]byte(`{"accounts":{"1":{"id":"2"}}}`)); err == nil {
		t.Errorf("UnmarshalJSON accepted an account with a mismatched id")
	}
	if err := restored.UnmarshalJSON([]byte(`{`)); err == nil {
		t.Errorf("UnmarshalJSON accepted truncated JSON")
	}
}
