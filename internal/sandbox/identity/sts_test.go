package identity

import (
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

func TestAssumeAccessRole(t *testing.T) {
	f := newFixture(t, Options{})
	if err := f.store.CreateAccessRole(memberAccount, "OrganizationAccountAccessRole", mgmtAccount, f.clock.now); err != nil {
		t.Fatal(err)
	}
	roleARN := "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
	sc, out := f.assume(f.admin, roleARN, "DurationSeconds", "900")

	if !strings.HasPrefix(out.Credentials.AccessKeyId, "ASIA") || len(out.Credentials.AccessKeyId) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA and 20 characters", out.Credentials.AccessKeyId)
	}
	if len(out.Credentials.SecretAccessKey) != 40 {
		t.Errorf("secret has %d characters, want 40", len(out.Credentials.SecretAccessKey))
	}
	if want := f.clock.now.Add(900 * time.Second).Format(time.RFC3339); out.Credentials.Expiration != want {
		t.Errorf("Expiration = %q, want %q", out.Credentials.Expiration, want)
	}
	if want := "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/test"; out.AssumedRoleUser.Arn != want || sc.ARN != want {
		t.Errorf("session ARN = %q / %q, want %q", out.AssumedRoleUser.Arn, sc.ARN, want)
	}
	if !strings.HasPrefix(out.AssumedRoleUser.AssumedRoleId, "AROA") || !strings.HasSuffix(out.AssumedRoleUser.AssumedRoleId, ":test") {
		t.Errorf("AssumedRoleId = %q", out.AssumedRoleUser.AssumedRoleId)
	}
	if sc.Kind != api.KindAssumedRole || sc.AccountID != memberAccount || sc.PrincipalARN != roleARN {
		t.Errorf("caller = %+v", sc)
	}

	var id struct{ UserId, Account, Arn string }
	decode(t, f.sts(sc, "GetCallerIdentity"), &id)
	if id.Account != memberAccount || id.Arn != sc.ARN || id.UserId != out.AssumedRoleUser.AssumedRoleId {
		t.Errorf("GetCallerIdentity = %+v", id)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "OnlyMember", "AssumeRolePolicyDocument", trustAccount(memberAccount))
	cases := []struct{ name, arn string }{
		{"trust names another account", "arn:aws:iam::111111111111:role/OnlyMember"},
		{"role does not exist", "arn:aws:iam::111111111111:role/Missing"},
		{"path does not match", "arn:aws:iam::111111111111:role/x/OnlyMember"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.stsErr(f.admin, "AssumeRole", "RoleArn", tc.arn, "RoleSessionName", "ss")
			wantCode(t, err, "AccessDenied")
			want := "User: arn:aws:iam::111111111111:user/admin is not authorized to perform: sts:AssumeRole on resource: " + tc.arn
			if err.Message != want {
				t.Errorf("message = %q, want %q", err.Message, want)
			}
			if err.HTTPStatus() != 403 {
				t.Errorf("status = %d, want 403", err.HTTPStatus())
			}
		})
	}
}

func TestAssumeRoleExternalID(t *testing.T) {
	f := newFixture(t, Options{})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"secret-42"}}}]}`
	f.iam(f.admin, "CreateRole", "RoleName", "Ext", "AssumeRolePolicyDocument", trust)
	arn := "arn:aws:iam::111111111111:role/Ext"
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss"), "AccessDenied")
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss", "ExternalId", "wrong"), "AccessDenied")
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss", "ExternalId", "x"), "ValidationError")
	f.assume(f.admin, arn, "ExternalId", "secret-42")
}

func TestAssumeRolePrincipalOrgID(t *testing.T) {
	orgs := map[string]string{mgmtAccount: "o-abc123", memberAccount: "o-abc123"}
	f := newFixture(t, Options{OrgOf: func(id string) string { return orgs[id] }})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`
	f.iam(f.admin, "CreateRole", "RoleName", "Org", "AssumeRolePolicyDocument", trust)
	arn := "arn:aws:iam::111111111111:role/Org"
	f.assume(f.admin, arn)
	orgs[mgmtAccount] = "o-other"
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss"), "AccessDenied")
}

func TestAssumeRoleDuration(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "MaxSessionDuration", "7200", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	arn := "arn:aws:iam::111111111111:role/R"
	cases := []struct {
		name, seconds, want string
	}{
		{"below minimum", "899", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"},
		{"above role maximum", "7201", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss", "DurationSeconds", tc.seconds)
			wantCode(t, err, "ValidationError")
			if err.Message != tc.want {
				t.Errorf("message = %q, want %q", err.Message, tc.want)
			}
		})
	}
	f.assume(f.admin, arn, "DurationSeconds", "7200")
}

func TestRoleChainingCap(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "First", "MaxSessionDuration", "43200", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	f.iam(f.admin, "CreateRole", "RoleName", "Second", "MaxSessionDuration", "43200", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	first, _ := f.assume(f.admin, "arn:aws:iam::111111111111:role/First", "DurationSeconds", "43200")
	if first.Chained {
		t.Errorf("session from a user is marked as chained")
	}
	err := f.stsErr(first, "AssumeRole", "RoleArn", "arn:aws:iam::111111111111:role/Second", "RoleSessionName", "ss", "DurationSeconds", "3601")
	wantCode(t, err, "ValidationError")
	if want := "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."; err.Message != want {
		t.Errorf("message = %q, want %q", err.Message, want)
	}
	second, _ := f.assume(first, "arn:aws:iam::111111111111:role/Second", "DurationSeconds", "3600")
	if !second.Chained {
		t.Errorf("session from a role session is not marked as chained")
	}
}

func TestRoleSessionNameValidation(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	for _, name := range []string{"a", strings.Repeat("a", 65), "has space", "colon:no"} {
		err := f.stsErr(f.admin, "AssumeRole", "RoleArn", "arn:aws:iam::111111111111:role/R", "RoleSessionName", name)
		wantCode(t, err, "ValidationError")
	}
	f.assume(f.admin, "arn:aws:iam::111111111111:role/R", "RoleSessionName", "ok+=,.@-_")
}

func TestConsistencyDelay(t *testing.T) {
	delay := 10 * time.Second
	f := newFixture(t, Options{ConsistencyDelay: delay})
	arn := "arn:aws:iam::111111111111:role/R"
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss"), "AccessDenied")
	f.clock.advance(delay)
	f.assume(f.admin, arn)

	// A changed trust policy takes effect only after the delay: until then
	// the old one applies.
	f.iam(f.admin, "UpdateAssumeRolePolicy", "RoleName", "R", "PolicyDocument", trustAccount(memberAccount))
	f.clock.advance(delay / 2)
	f.assume(f.admin, arn)
	f.clock.advance(delay / 2)
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", arn, "RoleSessionName", "ss"), "AccessDenied")

	// A new account's access role likewise.
	if err := f.store.CreateAccessRole(memberAccount, "Access", mgmtAccount, f.clock.now); err != nil {
		t.Fatal(err)
	}
	access := "arn:aws:iam::222222222222:role/Access"
	wantCode(t, f.stsErr(f.admin, "AssumeRole", "RoleArn", access, "RoleSessionName", "ss"), "AccessDenied")
	f.clock.advance(delay)
	f.assume(f.admin, access)
}

func TestCredentials(t *testing.T) {
	f := newFixture(t, Options{})
	f.iam(f.admin, "CreateRole", "RoleName", "R", "AssumeRolePolicyDocument", trustAccount(mgmtAccount))
	_, out := f.assume(f.admin, "arn:aws:iam::111111111111:role/R", "DurationSeconds", "900")
	keyID, token := out.Credentials.AccessKeyId, out.Credentials.SessionToken

	cases := []struct {
		name, key, token, code string
	}{
		{"unknown key", "AKIAUNKNOWNUNKNOWN00", "", "InvalidClientTokenId"},
		{"session without token", keyID, "", "InvalidClientTokenId"},
		{"session with wrong token", keyID, token + "x", "InvalidClientTokenId"},
		{"long-term key with token", f.admin.AccessKeyID, token, "InvalidClientTokenId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.store.Credentials(tc.key, tc.token)
			wantCode(t, err, tc.code)
		})
	}

	secret, _, err := f.store.Credentials(keyID, token)
	if err != nil || secret != out.Credentials.SecretAccessKey {
		t.Fatalf("Credentials(session) = %q, %v", secret, err)
	}
	f.clock.advance(900 * time.Second)
	_, _, err = f.store.Credentials(keyID, token)
	wantCode(t, err, "ExpiredToken")
}
