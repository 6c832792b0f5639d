package identity

import (
	"net/url"
	"strings"
	"time"
)

// The types in this file are the XML shapes of IAM's Query responses. Their
// field names are the member names of the IAM API; the core marshals a
// handler's result as the children of the ACTIONResult element.

type tagXML struct {
	Key   string
	Value string
}

type tagListXML struct {
	Tags        []tagXML `xml:"Tags>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type roleLastUsedXML struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string       `xml:",omitempty"`
	Description              string       `xml:",omitempty"`
	MaxSessionDuration       int          `xml:",omitempty"`
	PermissionsBoundary      *boundaryXML `xml:",omitempty"`
	Tags                     []tagXML     `xml:"Tags>member,omitempty"`
	RoleLastUsed             *roleLastUsedXML
}

type listRolesXML struct {
	Roles       []roleXML `xml:"Roles>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type policyXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          []tagXML `xml:"Tags>member,omitempty"`
}

type policyVersionXML struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

// isoTime formats a time as IAM does: UTC ISO 8601 to the second.
func isoTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// encodeDocument percent-encodes a policy document, as IAM returns every
// document. Spaces become %20 so that both query and path unescaping decode
// it.
func encodeDocument(text string) string {
	return strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
}

// roleXML converts a role. full adds the members that GetRole returns and
// ListRoles leaves out (tags, boundary, last use).
func (s *Store) roleXML(r *role, full bool) roleXML {
	x := roleXML{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleId:                   r.ID,
		Arn:                      r.ARN,
		CreateDate:               isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.trust()),
		Description:              r.Description,
		MaxSessionDuration:       r.MaxSessionDuration,
	}
	if !full {
		return x
	}
	x.PermissionsBoundary = boundaryDetail(r.current().Boundary)
	for _, t := range r.Tags {
		x.Tags = append(x.Tags, tagXML(t))
	}
	x.RoleLastUsed = &roleLastUsedXML{}
	if !r.LastUsed.IsZero() {
		x.RoleLastUsed = &roleLastUsedXML{LastUsedDate: isoTime(r.LastUsed), Region: "us-east-1"}
	}
	return x
}

func (s *Store) policyXML(acct *account, mp *managedPolicy) policyXML {
	attached, boundary := policyUse(acct, mp.ARN)
	x := policyXML{
		PolicyName:                    mp.Name,
		PolicyId:                      mp.ID,
		Arn:                           mp.ARN,
		Path:                          mp.Path,
		DefaultVersionId:              mp.defaultVersion(),
		AttachmentCount:               attached,
		PermissionsBoundaryUsageCount: boundary,
		IsAttachable:                  true,
		Description:                   mp.Description,
		CreateDate:                    isoTime(mp.Created),
		UpdateDate:                    isoTime(mp.Updated),
	}
	for _, t := range mp.Tags {
		x.Tags = append(x.Tags, tagXML(t))
	}
	return x
}

func versionXML(v policyVersion, isDefault, withDocument bool) policyVersionXML {
	x := policyVersionXML{VersionId: v.ID, IsDefaultVersion: isDefault, CreateDate: isoTime(v.Created)}
	if withDocument {
		x.Document = encodeDocument(v.Document)
	}
	return x
}
