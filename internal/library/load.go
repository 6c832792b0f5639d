package library

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/orgstrap/orgstrap/internal/library/catalog"
	"github.com/orgstrap/orgstrap/profiles"
)

// Library is a validated set of profiles.
type Library struct {
	profiles map[string]*Profile
	catalog  *catalog.Catalog
}

// FileError is a problem at one place in a profile file.
type FileError struct {
	File  string
	Line  int    // 0 when unknown
	Field string // path such as "statements[2].actions[0]", "" for the whole file
	Msg   string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Load reads the embedded profiles and every *.yaml and *.yml file in
// extraDirs, and validates them all. The error joins one error per problem
// found, a *FileError for each problem inside a file. Profile names must be
// unique across all sources.
func Load(extraDirs ...string) (*Library, error) {
	l := &Library{profiles: map[string]*Profile{}, catalog: catalog.Default()}
	var errs []error

	embedded, err := fs.Glob(profiles.FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range embedded {
		data, err := fs.ReadFile(profiles.FS, name)
		if err != nil {
			return nil, err
		}
		errs = append(errs, l.add("profiles/"+name, data)...)
	}

	for _, dir := range extraDirs {
		files, err := profileFiles(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Errorf("read profile: %w", err))
				continue
			}
			errs = append(errs, l.add(file, data)...)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

func profileFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read profile directory: %w", err)
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil
}

// add parses and validates one file and records its profile.
func (l *Library) add(file string, data []byte) []error {
	p, lines, err := parseProfile(file, data)
	if err != nil {
		return []error{err}
	}
	errs := validate(p, l.catalog)
	for _, e := range errs {
		e.Line = lines.lookup(e.Field)
	}
	if prev, ok := l.profiles[p.Name]; ok {
		errs = append(errs, &FileError{File: file, Line: lines.lookup("name"), Field: "name",
			Msg: fmt.Sprintf("profile %q is already defined in %s: choose another name", p.Name, prev.File)})
	}
	if len(errs) > 0 {
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = e
		}
		return out
	}
	l.profiles[p.Name] = p
	return nil
}

// Names returns the profile names in sorted order.
func (l *Library) Names() []string {
	names := make([]string, 0, len(l.profiles))
	for name := range l.profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Profile returns the named profile.
func (l *Library) Profile(name string) (*Profile, error) {
	p, ok := l.profiles[name]
	if !ok {
		return nil, fmt.Errorf("profile %q not found: choose one of %s", name, strings.Join(l.Names(), ", "))
	}
	return p, nil
}

// lineIndex maps a field path to the line it starts on.
type lineIndex map[string]int

// lookup returns the line of path, or of its nearest enclosing field.
func (ix lineIndex) lookup(path string) int {
	for {
		if line, ok := ix[path]; ok {
			return line
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return ix[""]
		}
		path = path[:i]
	}
}

func (ix lineIndex) walk(n *yaml.Node, path string) {
	ix[path] = n.Line
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			ix.walk(c, path)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			ix.walk(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			child := n.Content[i].Value
			if path != "" {
				child = path + "." + child
			}
			ix.walk(n.Content[i+1], child)
			ix[child] = n.Content[i].Line
		}
	}
}

// pathAt returns the deepest field path that starts on line, or "".
func (ix lineIndex) pathAt(line int) string {
	best := ""
	for path, l := range ix {
		if l == line && len(path) > len(best) {
			best = path
		}
	}
	return best
}

// fieldAt returns the path of the mapping key name on line, or "".
func (ix lineIndex) fieldAt(line int, name string) string {
	for path, l := range ix {
		if l == line && (path == name || strings.HasSuffix(path, "."+name)) {
			return path
		}
	}
	return ""
}

var (
	yamlLine     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
)

func parseProfile(file string, data []byte) (*Profile, lineIndex, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, yamlError(file, nil, err)
	}
	lines := lineIndex{}
	lines.walk(&root, "")

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, &FileError{File: file, Msg: "file is empty: a profile needs at least name, description and statements"}
		}
		return nil, nil, yamlError(file, lines, err)
	}
	p.File = file
	return &p, lines, nil
}

// yamlError turns yaml.v3's "line N: message" errors into FileErrors.
func yamlError(file string, lines lineIndex, err error) error {
	var msgs []string
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		msgs = typeErr.Errors
	} else {
		msgs = []string{err.Error()}
	}

	var errs []error
	for _, msg := range msgs {
		fe := &FileError{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			fe.Line, _ = strconv.Atoi(m[1])
			fe.Msg = m[2]
			if lines != nil {
				fe.Field = lines.pathAt(fe.Line)
			}
			if f := unknownField.FindStringSubmatch(fe.Msg); f != nil {
				fe.Field = lines.fieldAt(fe.Line, f[1])
				fe.Msg = fmt.Sprintf("unknown field %q: check its spelling", f[1])
			}
		}
		fe.Msg = strings.ReplaceAll(fe.Msg, "library.", "")
		errs = append(errs, fe)
	}
	return errors.Join(errs...)
}
