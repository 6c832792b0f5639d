package identity

import (
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/policy"
	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// session is a set of temporary credentials issued by STS for a role.
type session struct {
	AccessKeyID    string    `json:"accessKeyId"`
	Secret         string    `json:"secret"`
	Token          string    `json:"token"`
	AccountID      string    `json:"accountId"`
	RoleName       string    `json:"roleName"`
	RoleARN        string    `json:"roleArn"`
	RoleID         string    `json:"roleId"`
	SessionName    string    `json:"sessionName"`
	IssuedAt       time.Time `json:"issuedAt"`
	Expires        time.Time `json:"expires"`
	Chained        bool      `json:"chained,omitempty"`
	Provider       string    `json:"provider,omitempty"`
	SourceIdentity string    `json:"sourceIdentity,omitempty"`
	Tags           []tag     `json:"tags,omitempty"`
	// Policy is the inline session policy and PolicyARNs the managed session
	// policies passed to AssumeRole; they narrow what the role allows.
	Policy     string   `json:"policy,omitempty"`
	PolicyARNs []string `json:"policyArns,omitempty"`
}

func (ss *session) hasSessionPolicies() bool { return ss.Policy != "" || len(ss.PolicyARNs) > 0 }

func (ss *session) arn(partition string) string {
	return "arn:" + partition + ":sts::" + ss.AccountID + ":assumed-role/" + ss.RoleName + "/" + ss.SessionName
}

// sessionPolicies returns the session policies as named documents.
func (s *Store) sessionPolicies(ss *session, cutoff time.Time) []policy.NamedPolicy {
	out := []policy.NamedPolicy{}
	if ss.Policy != "" {
		if doc, err := policy.ParseDocument([]byte(ss.Policy)); err == nil {
			out = append(out, policy.NamedPolicy{Name: "session-policy", Document: doc})
		}
	}
	for _, arn := range ss.PolicyARNs {
		if np, ok := s.managedDocument(arn, cutoff); ok {
			out = append(out, np)
		}
	}
	return out
}

// Credentials resolves the access key of a request to its secret and
// caller. A long-term key must come without a session token, and a
// temporary key with its own token. Anything else is InvalidClientTokenId,
// and an expired session is ExpiredToken.
func (s *Store) Credentials(accessKeyID, sessionToken string) (string, *api.Caller, *api.Error) {
	invalid := &api.Error{Code: "InvalidClientTokenId", Status: 403,
		Message: "The security token included in the request is invalid."}
	if k := s.state.Keys[accessKeyID]; k != nil {
		if sessionToken != "" || k.Status != "Active" {
			return "", nil, invalid
		}
		acct := s.state.Accounts[k.AccountID]
		if acct == nil {
			return "", nil, invalid
		}
		u := acct.Users[strings.ToLower(k.UserName)]
		if u == nil {
			return "", nil, invalid
		}
		return k.Secret, &api.Caller{
			Kind: api.KindUser, AccountID: acct.ID, ARN: u.ARN, UserID: u.ID,
			Name: u.Name, PrincipalARN: u.ARN, AccessKeyID: k.ID,
		}, nil
	}
	ss := s.state.Sessions[accessKeyID]
	if ss == nil || sessionToken != ss.Token {
		return "", nil, invalid
	}
	if !s.now().Before(ss.Expires) {
		return "", nil, &api.Error{Code: "ExpiredToken", Status: 400,
			Message: "The security token included in the request is expired"}
	}
	return ss.Secret, s.sessionCaller(ss), nil
}

func (s *Store) sessionCaller(ss *session) *api.Caller {
	return &api.Caller{
		Kind:              api.KindAssumedRole,
		AccountID:         ss.AccountID,
		ARN:               ss.arn(s.opts.Partition),
		UserID:            ss.RoleID + ":" + ss.SessionName,
		Name:              ss.RoleName,
		PrincipalARN:      ss.RoleARN,
		SessionName:       ss.SessionName,
		IssuedAt:          ss.IssuedAt,
		Expires:           ss.Expires,
		Chained:           ss.Chained,
		FederatedProvider: ss.Provider,
		AccessKeyID:       ss.AccessKeyID,
		SourceIdentity:    ss.SourceIdentity,
	}
}

// issueSession creates temporary credentials for r lasting duration, and
// drops sessions that expired more than a day ago so the state stays small.
func (s *Store) issueSession(r *role, acctID, sessionName string, duration time.Duration) *session {
	now := s.now()
	for id, old := range s.state.Sessions {
		if now.Sub(old.Expires) > 24*time.Hour {
			delete(s.state.Sessions, id)
		}
	}
	ss := &session{
		AccessKeyID: newID("ASIA", 20),
		Secret:      newSecret(30),
		Token:       newSecret(120),
		AccountID:   acctID,
		RoleName:    r.Name,
		RoleARN:     r.ARN,
		RoleID:      r.ID,
		SessionName: sessionName,
		IssuedAt:    now,
		Expires:     now.Add(duration),
	}
	s.state.Sessions[ss.AccessKeyID] = ss
	r.LastUsed = now
	return ss
}

type credentialsXML struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type assumedRoleUserXML struct {
	AssumedRoleId string
	Arn           string
}

func (s *Store) credentialsXML(ss *session) (credentialsXML, assumedRoleUserXML) {
	return credentialsXML{
			AccessKeyId:     ss.AccessKeyID,
			SecretAccessKey: ss.Secret,
			SessionToken:    ss.Token,
			Expiration:      isoTime(ss.Expires),
		}, assumedRoleUserXML{
			AssumedRoleId: ss.RoleID + ":" + ss.SessionName,
			Arn:           ss.arn(s.opts.Partition),
		}
}
