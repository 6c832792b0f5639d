package identity

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// webToken is the part of an OIDC ID token that STS uses.
type webToken struct {
	issuer    string
	audiences []string
	subject   string
	expires   time.Time // zero when the token has no exp claim
	amr       []string
}

func invalidToken(format string, args ...any) *api.Error {
	return &api.Error{Code: "InvalidIdentityToken", Status: 400, Message: fmt.Sprintf(format, args...)}
}

// parseWebToken decodes a JWT's header and claims.
//
// NOTE: the signature is NOT verified. The sandbox has no network access to
// fetch the issuer's signing keys, so any well-formed token whose issuer,
// audience and claims fit a registered provider and the role's trust policy
// is accepted. AWS checks the signature against the provider's JWKS.
func parseWebToken(raw string) (*webToken, *api.Error) {
	notJWT := invalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[2] == "" {
		return nil, notJWT
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg == "" {
		return nil, notJWT
	}

	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp *json.Number    `json:"exp"`
		Amr policy.Values   `json:"amr"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil || claims.Iss == "" {
		return nil, notJWT
	}

	var aud policy.Values
	if len(claims.Aud) > 0 {
		if err := json.Unmarshal(claims.Aud, &aud); err != nil {
			return nil, notJWT
		}
	}
	t := &webToken{issuer: claims.Iss, audiences: aud, subject: claims.Sub, amr: claims.Amr}
	if claims.Exp != nil {
		secs, err := claims.Exp.Float64()
		if err != nil {
			return nil, notJWT
		}
		t.expires = time.Unix(int64(secs), 0).UTC()
	}
	return t, nil
}

// decodeSegment decodes one base64url JWT segment, with or without padding,
// as JSON into v.
func decodeSegment(seg string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// stsAssumeRoleWithWebIdentity exchanges an OIDC token for role credentials.
// AWS accepts this call unsigned, so c.caller is nil.
func stsAssumeRoleWithWebIdentity(s *Store, c *call) (any, bool, *api.Error) {
	sr, err := s.readSessionRequest(c)
	if err != nil {
		return nil, false, err
	}
	raw, err := c.required("WebIdentityToken")
	if err != nil {
		return nil, false, err
	}
	if len(raw) < 4 || len(raw) > 20000 {
		return nil, false, validationError("Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000")
	}
	token, err := parseWebToken(raw)
	if err != nil {
		return nil, false, err
	}

	denied := &api.Error{Code: "AccessDenied", Status: 403, Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
	r, trust, ok := s.assumableRole(sr.roleARN)
	if !ok {
		return nil, false, denied
	}
	acctID := accountOfARN(r.ARN)
	hostPath := issuerHostPath(token.issuer)
	providerARN := "arn:" + s.opts.Partition + ":iam::" + acctID + ":oidc-provider/" + hostPath
	provider := s.state.Accounts[acctID].Providers[providerARN]
	if provider == nil {
		return nil, false, invalidToken("No OpenIDConnect provider found in your account for %s", token.issuer)
	}
	audience := ""
	for _, a := range token.audiences {
		if containsString(provider.ClientIDs, a) {
			audience = a
			break
		}
	}
	if audience == "" {
		return nil, false, invalidToken("Incorrect token audience")
	}
	now := s.now()
	if !token.expires.IsZero() && !now.Before(token.expires) {
		return nil, false, &api.Error{Code: "ExpiredTokenException", Status: 400, Message: fmt.Sprintf(
			"Token expired: current date/time %d must be before the expiration date/time %d",
			now.Unix(), token.expires.Unix())}
	}

	ctx := map[string][]string{
		hostPath + ":aud":       {audience},
		hostPath + ":sub":       {token.subject},
		"sts:RoleSessionName":   {sr.sessionName},
		"aws:CurrentTime":       {now.Format(time.RFC3339)},
		"aws:EpochTime":         {fmt.Sprint(now.Unix())},
		"aws:FederatedProvider": {providerARN},
		"aws:RequestedRegion":   {"us-east-1"},
	}
	if len(token.amr) > 0 {
		ctx[hostPath+":amr"] = token.amr
	}
	req := policy.Request{
		Action:    "sts:AssumeRoleWithWebIdentity",
		Resource:  r.ARN,
		Principal: &policy.RequestPrincipal{Type: "Federated", ID: providerARN},
		Context:   ctx,
	}
	if ev := policy.EvaluateTrust(req, policy.NamedPolicy{Name: "trust policy of " + r.Name, Document: trust}); ev.Decision != policy.Allow {
		return nil, false, denied
	}
	if sr.duration > r.MaxSessionDuration {
		return nil, false, &api.Error{Code: "ValidationError", Status: 400,
			Message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}
	}

	ss := s.issueSession(r, acctID, sr.sessionName, time.Duration(sr.duration)*time.Second)
	ss.Provider = providerARN
	ss.Policy, ss.PolicyARNs = sr.policy, sr.policyARNs
	creds, user := s.credentialsXML(ss)
	return struct {
		Credentials                 credentialsXML
		SubjectFromWebIdentityToken string
		AssumedRoleUser             assumedRoleUserXML
		Provider                    string
		Audience                    string
	}{creds, token.subject, user, token.issuer, audience}, true, nil
}
