package library

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

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
	wrongKind    = regexp.MustCompile("^cannot unmarshal !!(\\w+) (?:`(.*)` )?into (\\S+)$")
)

// kindNames describes yaml.v3's node tags and Go target types in the
// profile schema's terms.
var kindNames = map[string]string{
	"str": "a string", "seq": "a list", "map": "a mapping", "int": "a number", "bool": "a boolean", "float": "a number",
	"[]string": "a list of strings", "string": "a string",
}

// describeKind names the kind of a Go type in a yaml.v3 message.
func describeKind(goType string) string {
	switch {
	case kindNames[goType] != "":
		return kindNames[goType]
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	default:
		return "a mapping"
	}
}

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
			if k := wrongKind.FindStringSubmatch(fe.Msg); k != nil {
				got := kindNames[k[1]]
				if k[2] != "" {
					got += fmt.Sprintf(" (%s)", k[2])
				}
				fe.Msg = fmt.Sprintf("expected %s, got %s", describeKind(k[3]), got)
			}
		}
		fe.Msg = strings.ReplaceAll(fe.Msg, "library.", "")
		errs = append(errs, fe)
	}
	return errors.Join(errs...)
}
