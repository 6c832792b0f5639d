package deployrole

import (
	"slices"
	"strings"
	"sync"
)

// versions tracks the default version id of each managed policy during
// one apply: observed ids first, replaced as steps create versions.
type versions struct {
	mu  sync.Mutex
	ids map[string]string
}

func newVersions(o *Observed) *versions {
	v := &versions{ids: map[string]string{}}
	for name, p := range o.Policies {
		v.ids[name] = p.DefaultVersionID
	}
	return v
}

func (v *versions) set(name, id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ids[name] = id
}

// value returns the TagVersions value for the named policies, or "" when
// it would not fit in a tag value.
func (v *versions) value(names []string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	pairs := make([]string, 0, len(names))
	for _, name := range names {
		pairs = append(pairs, name+"="+v.ids[name])
	}
	slices.Sort(pairs)
	value := strings.Join(pairs, " ")
	if len(value) > maxTagValue {
		return ""
	}
	return value
}

// recordedBy returns the policies whose versions role i of d records: its
// own, and for the deploy role (i == 0) also those no role attaches.
func (d *Desired) recordedBy(i int) []string {
	names := slices.Clone(d.Roles[i].Policies)
	if b := d.Roles[i].Boundary; b != "" && !slices.Contains(names, b) {
		names = append(names, b)
	}
	if i > 0 {
		return names
	}
	used := map[string]bool{}
	for _, spec := range d.Roles {
		for _, name := range spec.Policies {
			used[name] = true
		}
		used[spec.Boundary] = true
	}
	for _, p := range d.Policies {
		if !used[p.Name] {
			names = append(names, p.Name)
		}
	}
	return names
}
