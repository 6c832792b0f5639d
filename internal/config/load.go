package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a config file.
type Problem struct {
	Line    int    // 1-based line in the file, 0 when unknown
	Path    string // field path such as environments[1].email
	Message string
	Fix     string // the change that resolves the problem
}

// Error lists every problem found in a config file, so one run reports
// them all.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid config %s:", e.File)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		if p.Path != "" {
			fmt.Fprintf(&b, ": %s", p.Path)
		}
		fmt.Fprintf(&b, ": %s", p.Message)
		if p.Fix != "" {
			fmt.Fprintf(&b, " (fix: %s)", p.Fix)
		}
	}
	return b.String()
}

// Options are the facts validation needs from outside the file.
type Options struct {
	// Profiles are the policy library's profile names; nil skips the check
	// unless LoadLibrary is set.
	Profiles []string
	// LoadLibrary, when set and Profiles is nil, loads the policy library
	// with the config's deployment.library directories and returns its
	// profile names. Its error becomes a problem on deployment.library.
	LoadLibrary func(dirs []string) ([]string, error)
}

// Load reads and validates the config file at path.
func Load(path string, opts Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reading config: %s does not exist: create it from orgstrap.example.yaml or pass --config", path)
		}
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data, opts)
}

// Parse decodes and validates config data; path names the file in errors.
func Parse(path string, data []byte, opts Options) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{File: path, Problems: yamlProblems(err)}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: path, Problems: []Problem{{Line: 1,
			Message: "the file is not a YAML mapping", Fix: "start from orgstrap.example.yaml"}}}
	}
	root := doc.Content[0]

	v := &validator{root: root}
	checkKeys(root, reflect.TypeFor[Config](), "", v)
	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		v.problems = append(v.problems, yamlProblems(err)...)
	}
	if len(v.problems) > 0 {
		return nil, &Error{File: path, Problems: v.problems}
	}

	if opts.Profiles == nil && opts.LoadLibrary != nil {
		names, err := opts.LoadLibrary(cfg.Deployment.LibraryDirs(path))
		if err != nil {
			v.fail("deployment.library", err.Error(),
				"fix the profile files named above, or correct the directories in deployment.library and --library")
			return nil, &Error{File: path, Problems: v.problems}
		}
		opts.Profiles = names
	}
	v.validate(&cfg, opts)
	if len(v.problems) > 0 {
		return nil, &Error{File: path, Problems: v.problems}
	}
	cfg.applyDefaults()
	cfg.Path = path
	return &cfg, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblems turns a yaml.v3 error into problems with line numbers.
func yamlProblems(err error) []Problem {
	var messages []string
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		messages = typeErr.Errors
	} else {
		messages = []string{err.Error()}
	}
	problems := make([]Problem, 0, len(messages))
	for _, msg := range messages {
		p := Problem{Message: msg, Fix: "correct the YAML syntax or the value's type"}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		problems = append(problems, p)
	}
	return problems
}

// checkKeys reports mapping keys that name no field of t, walking the
// YAML tree and the Go type side by side.
func checkKeys(node *yaml.Node, t reflect.Type, path string, v *validator) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && node.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, value := node.Content[i], node.Content[i+1]
			field, ok := fields[key.Value]
			if !ok {
				v.add(key.Line, join(path, key.Value), fmt.Sprintf("unknown field %q", key.Value),
					unknownFieldFix(key.Value, fields))
				continue
			}
			checkKeys(value, field, join(path, key.Value), v)
		}
	case t.Kind() == reflect.Slice && node.Kind == yaml.SequenceNode:
		for i, item := range node.Content {
			checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), v)
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = t.Field(i).Type
		}
	}
	return fields
}

func unknownFieldFix(key string, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	best, bestDistance := "", 3
	for name := range fields {
		names = append(names, name)
		if d := editDistance(key, name); d < bestDistance {
			best, bestDistance = name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	sort.Strings(names)
	return "remove it; the known fields here are " + strings.Join(names, ", ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineOf returns the line of the node at a field path such as
// environments[1].email, or of its nearest existing ancestor.
func lineOf(root *yaml.Node, path string) int {
	node := root
	for _, part := range strings.Split(strings.ReplaceAll(path, "[", ".["), ".") {
		if part == "" {
			continue
		}
		next := child(node, part)
		if next == nil {
			break
		}
		node = next
	}
	return node.Line
}

func child(node *yaml.Node, part string) *yaml.Node {
	if strings.HasPrefix(part, "[") {
		i, err := strconv.Atoi(strings.Trim(part, "[]"))
		if err != nil || node.Kind != yaml.SequenceNode || i >= len(node.Content) {
			return nil
		}
		return node.Content[i]
	}
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == part {
			return node.Content[i+1]
		}
	}
	return nil
}
