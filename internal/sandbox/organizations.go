package sandbox

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Organizations limits, as AWS documents them.
const (
	maxOUDepth       = 5
	maxOUs           = 2000
	maxTagsPerTarget = 50
)

// organizations is the Organizations state: at most one organization, its
// root, OUs, member accounts, CreateAccount requests and tags. The JSON
// tags are the persisted format.
type organizations struct {
	// Management is the account that creates the organization. It exists
	// from the start; Organization is nil until CreateOrganization.
	Management   *account              `json:"management"`
	Organization *organization         `json:"organization,omitempty"`
	Members      []*account            `json:"members"`
	Units        []*orgUnit            `json:"organizationalUnits"`
	Requests     []*createAccountState `json:"createAccountRequests"`
	// Tags maps a root, OU or account id to its tags, sorted by key.
	Tags map[string][]tag `json:"tags"`

	quota int
	delay time.Duration
	// maxCreating limits the requests in progress at once; 0 means none.
	maxCreating int
}

type organization struct {
	ID         string    `json:"id"`
	FeatureSet string    `json:"featureSet"`
	RootID     string    `json:"rootId"`
	Created    time.Time `json:"created"`
}

type account struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	ParentID     string    `json:"parentId,omitempty"`
	JoinedMethod string    `json:"joinedMethod,omitempty"`
	Joined       time.Time `json:"joined,omitzero"`
}

type orgUnit struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func newOrganizations(quota int, delay time.Duration) *organizations {
	return &organizations{Tags: map[string][]tag{}, quota: quota, delay: delay}
}

// organizationOf returns the organization id of accountID, or "" when the
// account is not in the organization.
func (o *organizations) organizationOf(accountID string) string {
	if o.Organization == nil || o.account(accountID) == nil {
		return ""
	}
	return o.Organization.ID
}

// account returns the management or member account with id, or nil.
func (o *organizations) account(id string) *account {
	if o.Management != nil && o.Management.ID == id {
		return o.Management
	}
	for _, a := range o.Members {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// accounts returns the accounts in the organization, management first and
// members in the order they joined.
func (o *organizations) accounts() []*account {
	if o.Organization == nil {
		return nil
	}
	return append([]*account{o.Management}, o.Members...)
}

func (o *organizations) unit(id string) *orgUnit {
	for _, u := range o.Units {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// parentExists reports whether id is the root or an OU.
func (o *organizations) parentExists(id string) bool {
	return o.Organization != nil && (id == o.Organization.RootID || o.unit(id) != nil)
}

// depth returns how many OUs deep parent is: 0 for the root.
func (o *organizations) depth(parentID string) int {
	depth := 0
	for u := o.unit(parentID); u != nil; u = o.unit(u.ParentID) {
		depth++
	}
	return depth
}

// emailInUse reports whether an account, or a CreateAccount request that
// has not failed, already uses email. AWS compares addresses without
// regard to case.
func (o *organizations) emailInUse(email string) bool {
	for _, a := range append([]*account{o.Management}, o.Members...) {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	for _, r := range o.Requests {
		if r.State != createFailed && r.PendingFailure == "" && strings.EqualFold(r.Email, email) {
			return true
		}
	}
	return false
}

// newAccountID returns a random 12-digit account id not used yet.
func (o *organizations) newAccountID() string {
	for {
		id := fmt.Sprintf("%012d", rand.Int64N(1_000_000_000_000))
		if id[0] != '0' && o.account(id) == nil {
			return id
		}
	}
}

// randomID returns n random characters from the digits and lower-case
// letters, the alphabet of Organizations ids.
func randomID(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

func (o *organizations) arnPrefix() string {
	return "arn:aws:organizations::" + o.Management.ID + ":"
}

func (o *organizations) organizationARN() string {
	return o.arnPrefix() + "organization/" + o.Organization.ID
}

func (o *organizations) rootARN() string {
	return o.arnPrefix() + "root/" + o.Organization.ID + "/" + o.Organization.RootID
}

func (o *organizations) unitARN(id string) string {
	return o.arnPrefix() + "ou/" + o.Organization.ID + "/" + id
}

func (o *organizations) accountARN(id string) string {
	return o.arnPrefix() + "account/" + o.Organization.ID + "/" + id
}

// targetARN returns the ARN of a root, OU or account id, or "" when there
// is no such target.
func (o *organizations) targetARN(id string) string {
	switch {
	case o.Organization == nil:
		return ""
	case id == o.Organization.RootID:
		return o.rootARN()
	case o.unit(id) != nil:
		return o.unitARN(id)
	case o.organizationOf(id) != "":
		return o.accountARN(id)
	}
	return ""
}

// setTags adds or replaces tags on target, keeping them sorted by key.
func (o *organizations) setTags(target string, tags []tag) {
	current := o.Tags[target]
	for _, t := range tags {
		i := slices.IndexFunc(current, func(c tag) bool { return c.Key == t.Key })
		if i >= 0 {
			current[i].Value = t.Value
		} else {
			current = append(current, t)
		}
	}
	slices.SortFunc(current, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
	o.Tags[target] = current
}

// tagCountAfter returns how many tags target would have after setTags.
func (o *organizations) tagCountAfter(target string, tags []tag) int {
	n := len(o.Tags[target])
	for _, t := range tags {
		if !slices.ContainsFunc(o.Tags[target], func(c tag) bool { return c.Key == t.Key }) {
			n++
		}
	}
	return n
}
