package identity

import (
	"regexp"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// oidcProvider is an IAM OpenID Connect identity provider. URL is stored
// as given, with its https:// scheme; the ARN and STS use it without.
type oidcProvider struct {
	ARN         string    `json:"arn"`
	URL         string    `json:"url"`
	ClientIDs   []string  `json:"clientIds"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []tag     `json:"tags,omitempty"`
}

// IAM limits for OIDC providers: 100 client ids of 1 to 255 characters and
// 5 thumbprints of 40 hex digits.
const (
	maxClientIDs   = 100
	maxThumbprints = 5
)

var thumbprintPattern = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// issuerHostPath returns the provider URL without its scheme and trailing
// slash: the part of the ARN and of the condition keys.
func issuerHostPath(u string) string {
	return strings.TrimSuffix(strings.TrimPrefix(u, "https://"), "/")
}

func validateClientIDs(ids []string) *api.Error {
	if len(ids) > maxClientIDs {
		return limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
	}
	for _, id := range ids {
		if id == "" || len(id) > 255 {
			return validationError("Value '%s' at 'clientIDList' failed to satisfy constraint: Member must have length between 1 and 255", id)
		}
	}
	return nil
}

func validateThumbprints(list []string) *api.Error {
	if len(list) > maxThumbprints {
		return limitExceeded("Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxThumbprints)
	}
	for _, t := range list {
		if !thumbprintPattern.MatchString(t) {
			return validationError("Value '%s' at 'thumbprintList' failed to satisfy constraint: Member must have length 40", t)
		}
	}
	return nil
}

func iamCreateOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	u, err := c.required("Url")
	if err != nil {
		return nil, false, err
	}
	if !strings.HasPrefix(u, "https://") || len(u) > 255 || issuerHostPath(u) == "" {
		return nil, false, validationError("Value '%s' at 'url' failed to satisfy constraint: Member must be an https URL of at most 255 characters", u)
	}
	clientIDs, thumbprints := c.list("ClientIDList"), c.list("ThumbprintList")
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}
	if err := validateClientIDs(clientIDs); err != nil {
		return nil, false, err
	}
	if err := validateThumbprints(thumbprints); err != nil {
		return nil, false, err
	}

	arn := "arn:" + s.opts.Partition + ":iam::" + c.acct.ID + ":oidc-provider/" + issuerHostPath(u)
	if err := s.check(c, "iam:CreateOpenIDConnectProvider", arn, tagRequestContext(tags)); err != nil {
		return nil, false, err
	}
	if c.acct.Providers[arn] != nil {
		return nil, false, alreadyExists("Provider with url %s already exists.", u)
	}
	c.acct.Providers[arn] = &oidcProvider{
		ARN: arn, URL: u, ClientIDs: clientIDs, Thumbprints: thumbprints, Created: s.now(), Tags: tags,
	}
	return struct {
		OpenIDConnectProviderArn string
		Tags                     []tagXML `xml:"Tags>member,omitempty"`
	}{arn, tagsXML(tags)}, true, nil
}

func tagsXML(tags []tag) []tagXML {
	var out []tagXML
	for _, t := range tags {
		out = append(out, tagXML(t))
	}
	return out
}

// providerTarget reads OpenIDConnectProviderArn, authorizes action on it
// and returns the provider.
func (s *Store) providerTarget(c *call, action string) (*oidcProvider, *api.Error) {
	arn, err := c.required("OpenIDConnectProviderArn")
	if err != nil {
		return nil, err
	}
	if err := s.check(c, action, arn, nil); err != nil {
		return nil, err
	}
	p := c.acct.Providers[arn]
	if p == nil {
		return nil, noSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
	}
	return p, nil
}

func iamGetOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	p, err := s.providerTarget(c, "iam:GetOpenIDConnectProvider")
	if err != nil {
		return nil, false, err
	}
	// IAM returns the URL without its scheme.
	return struct {
		Url            string
		ClientIDList   []string `xml:"ClientIDList>member"`
		ThumbprintList []string `xml:"ThumbprintList>member"`
		CreateDate     string
		Tags           []tagXML `xml:"Tags>member,omitempty"`
	}{issuerHostPath(p.URL), p.ClientIDs, p.Thumbprints, isoTime(p.Created), tagsXML(p.Tags)}, false, nil
}

func iamListOpenIDConnectProviders(s *Store, c *call) (any, bool, *api.Error) {
	if err := s.check(c, "iam:ListOpenIDConnectProviders", "*", nil); err != nil {
		return nil, false, err
	}
	type entry struct{ Arn string }
	var list []entry
	for _, arn := range sortedKeys(c.acct.Providers) {
		list = append(list, entry{arn})
	}
	return struct {
		OpenIDConnectProviderList []entry `xml:"OpenIDConnectProviderList>member"`
	}{list}, false, nil
}

func iamDeleteOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	p, err := s.providerTarget(c, "iam:DeleteOpenIDConnectProvider")
	if err != nil {
		return nil, false, err
	}
	delete(c.acct.Providers, p.ARN)
	return nil, true, nil
}

func iamAddClientIDToOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	id, err := c.required("ClientID")
	if err != nil {
		return nil, false, err
	}
	p, err := s.providerTarget(c, "iam:AddClientIDToOpenIDConnectProvider")
	if err != nil {
		return nil, false, err
	}
	if containsString(p.ClientIDs, id) {
		return nil, false, nil
	}
	ids := append(append([]string(nil), p.ClientIDs...), id)
	if err := validateClientIDs(ids); err != nil {
		return nil, false, err
	}
	p.ClientIDs = ids
	return nil, true, nil
}

func iamRemoveClientIDFromOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	id, err := c.required("ClientID")
	if err != nil {
		return nil, false, err
	}
	p, err := s.providerTarget(c, "iam:RemoveClientIDFromOpenIDConnectProvider")
	if err != nil {
		return nil, false, err
	}
	p.ClientIDs = removeString(p.ClientIDs, id)
	return nil, true, nil
}

func iamUpdateOpenIDConnectProviderThumbprint(s *Store, c *call) (any, bool, *api.Error) {
	list := c.list("ThumbprintList")
	if err := validateThumbprints(list); err != nil {
		return nil, false, err
	}
	p, err := s.providerTarget(c, "iam:UpdateOpenIDConnectProviderThumbprint")
	if err != nil {
		return nil, false, err
	}
	p.Thumbprints = list
	return nil, true, nil
}

func iamTagOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, false, err
	}
	p, err := s.providerTarget(c, "iam:TagOpenIDConnectProvider")
	if err != nil {
		return nil, false, err
	}
	merged, err := mergeTags(p.Tags, tags)
	if err != nil {
		return nil, false, err
	}
	p.Tags = merged
	return nil, true, nil
}

func iamUntagOpenIDConnectProvider(s *Store, c *call) (any, bool, *api.Error) {
	p, err := s.providerTarget(c, "iam:UntagOpenIDConnectProvider")
	if err != nil {
		return nil, false, err
	}
	p.Tags = removeTags(p.Tags, c.list("TagKeys"))
	return nil, true, nil
}

func iamListOpenIDConnectProviderTags(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	p, err := s.providerTarget(c, "iam:ListOpenIDConnectProviderTags")
	if err != nil {
		return nil, false, err
	}
	return tagPage(p.Tags, offset, max), false, nil
}
