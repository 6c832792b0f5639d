package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// AddEnvironment appends env to the environments list of the config file at
// path, keeping the file's comments, and validates the result before
// writing it, so a rejected environment leaves the file unchanged.
func AddEnvironment(path string, env Environment, opts Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: path, Problems: yamlProblems(err)}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("editing config %s: the file is not a YAML mapping", path)
	}

	list := child(doc.Content[0], "environments")
	if list == nil {
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "environments"}
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		doc.Content[0].Content = append(doc.Content[0].Content, key, list)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("editing config %s: environments is not a list", path)
	}
	list.Content = append(list.Content, environmentNode(env))

	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	cfg, err := Parse(path, out.Bytes(), opts)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(path, out.Bytes()); err != nil {
		return nil, err
	}
	return cfg, nil
}

// environmentNode builds the mapping for env with only the fields set.
func environmentNode(env Environment) *yaml.Node {
	node := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	pair := func(key, value string) {
		if value == "" {
			return
		}
		node.Content = append(node.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
	}
	pair("name", env.Name)
	pair("account_name", env.AccountName)
	pair("email", env.Email)
	pair("ou", env.OU)
	pair("access", string(env.Access))
	pair("account_id", env.AccountID)
	pair("stage", env.Stage)
	return node
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, so a crash leaves either the old or the new file.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
