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

// value returns the TagVersions value for d's policies.
func (v *versions) value(d *Desired) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	pairs := make([]string, 0, len(d.Policies))
	for _, p := range d.Policies {
		pairs = append(pairs, p.Name+"="+v.ids[p.Name])
	}
	slices.Sort(pairs)
	return strings.Join(pairs, " ")
}

// parseVersions reads a TagVersions value.
func parseVersions(value string) map[string]string {
	ids := map[string]string{}
	for _, pair := range strings.Fields(value) {
		if name, id, ok := strings.Cut(pair, "="); ok {
			ids[name] = id
		}
	}
	return ids
}
