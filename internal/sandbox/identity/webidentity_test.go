package identity

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const githubIssuer = "https://token.actions.githubusercontent.com"

// jwt builds an unsigned-looking token with the given claims; the sandbox
// does not verify signatures, so any non-empty signature segment does.
func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func webFixture(t *testing.T) (*fixture, string) {
	f := newFixture(t, Options{EnforceIAM: true})
	f.iam(f.admin, "CreateOpenIDConnectProvider", "Url", githubIssuer, "ClientIDList.member.1", "sts.amazonaws.com")
	provider := "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},
		"Action":"sts:AssumeRoleWithWebIdentity","Condition":{
		"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
		"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/main"}}}]}`
	f.iam(f.admin, "CreateRole", "RoleName", "GitHub", "AssumeRolePolicyDocument", trust)
	return f, "arn:aws:iam::111111111111:role/GitHub"
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	f, role := webFixture(t)
	claims := map[string]any{
		"iss": githubIssuer, "aud": "sts.amazonaws.com",
		"sub": "repo:acme/app:ref:refs/heads/main", "exp": f.clock.now.Add(time.Hour).Unix(),
	}
	res := f.sts(nil, "AssumeRoleWithWebIdentity", "RoleArn", role, "RoleSessionName", "gha",
		"WebIdentityToken", jwt(t, claims))
	var out struct {
		assumeResult
		SubjectFromWebIdentityToken, Provider, Audience string
	}
	decode(t, res, &out)
	if out.SubjectFromWebIdentityToken != "repo:acme/app:ref:refs/heads/main" || out.Audience != "sts.amazonaws.com" || out.Provider != githubIssuer {
		t.Errorf("result = %+v", out)
	}
	_, sc, err := f.store.Credentials(out.Credentials.AccessKeyId, out.Credentials.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if sc.ARN != "arn:aws:sts::111111111111:assumed-role/GitHub/gha" || sc.FederatedProvider == "" {
		t.Errorf("caller = %+v", sc)
	}
}

func TestAssumeRoleWithWebIdentityRejected(t *testing.T) {
	f, role := webFixture(t)
	good := map[string]any{
		"iss": githubIssuer, "aud": "sts.amazonaws.com",
		"sub": "repo:acme/app:ref:refs/heads/main", "exp": f.clock.now.Add(time.Hour).Unix(),
	}
	with := func(key string, value any) map[string]any {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		m[key] = value
		return m
	}
	cases := []struct {
		name, token, code string
	}{
		{"not a JWT", "abc.def", "InvalidIdentityToken"},
		{"bad base64", "!!!.@@@.sig", "InvalidIdentityToken"},
		{"unknown issuer", jwt(t, with("iss", "https://accounts.example.com")), "InvalidIdentityToken"},
		{"wrong audience", jwt(t, with("aud", "someone-else")), "InvalidIdentityToken"},
		{"expired", jwt(t, with("exp", f.clock.now.Add(-time.Second).Unix())), "ExpiredTokenException"},
		{"other branch", jwt(t, with("sub", "repo:acme/app:ref:refs/heads/dev")), "AccessDenied"},
		{"audience list", jwt(t, with("aud", []string{"x", "sts.amazonaws.com"})), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.store.HandleSTS(nil, "AssumeRoleWithWebIdentity",
				params("RoleArn", role, "RoleSessionName", "gha", "WebIdentityToken", tc.token))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("error = %v, want success", err)
				}
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	_, _, err := f.store.HandleSTS(nil, "AssumeRole", params("RoleArn", role, "RoleSessionName", "gha"))
	wantCode(t, err, "MissingAuthenticationToken")
}

func TestOIDCProviderLifecycle(t *testing.T) {
	f := newFixture(t, Options{})
	thumb := strings.Repeat("a1", 20)
	f.iam(f.admin, "CreateOpenIDConnectProvider", "Url", githubIssuer, "ClientIDList.member.1", "sts.amazonaws.com",
		"ThumbprintList.member.1", thumb)
	arn := "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
	wantCode(t, f.iamErr(f.admin, "CreateOpenIDConnectProvider", "Url", githubIssuer), "EntityAlreadyExists")
	wantCode(t, f.iamErr(f.admin, "CreateOpenIDConnectProvider", "Url", "http://insecure.example.com"), "ValidationError")
	wantCode(t, f.iamErr(f.admin, "CreateOpenIDConnectProvider", "Url", "https://x.example.com", "ThumbprintList.member.1", "short"), "ValidationError")

	f.iam(f.admin, "AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", arn, "ClientID", "other")
	f.iam(f.admin, "UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", arn, "ThumbprintList.member.1", strings.Repeat("b2", 20))
	f.iam(f.admin, "TagOpenIDConnectProvider", "OpenIDConnectProviderArn", arn, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	var got struct {
		Url            string
		ClientIDList   []string `xml:"ClientIDList>member"`
		ThumbprintList []string `xml:"ThumbprintList>member"`
		Tags           []tagXML `xml:"Tags>member"`
	}
	decode(t, f.iam(f.admin, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn), &got)
	if got.Url != "token.actions.githubusercontent.com" || len(got.ClientIDList) != 2 || got.ThumbprintList[0] != strings.Repeat("b2", 20) || len(got.Tags) != 1 {
		t.Errorf("provider = %+v", got)
	}
	var list struct {
		List []struct{ Arn string } `xml:"OpenIDConnectProviderList>member"`
	}
	decode(t, f.iam(f.admin, "ListOpenIDConnectProviders"), &list)
	if len(list.List) != 1 || list.List[0].Arn != arn {
		t.Errorf("list = %+v", list)
	}
	f.iam(f.admin, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
	wantCode(t, f.iamErr(f.admin, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn), "NoSuchEntity")
}
