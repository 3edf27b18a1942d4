package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Load reads, expands, validates and completes the config file at path.
// getenv looks up ${NAME} references (os.LookupEnv when nil). Every problem
// found is returned at once in a *Errors, each naming its key path.
func Load(path string, getenv func(string) (string, bool)) (*Config, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	var errs Errors
	abs, err := filepath.Abs(path)
	if err != nil {
		errs.add(0, "", "config %s: %v", path, err)
		return nil, &errs
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		errs.add(0, "", "read config: %v", err)
		return nil, &errs
	}
	root, err := parseYAML(data)
	if err != nil {
		errs.add(0, "", "parse %s: %v", path, err)
		return nil, &errs
	}

	c := defaults()
	c.Path = abs
	d := decoder{getenv: getenv, errs: &errs, lines: map[string]int{}}
	d.root(root, &c)
	c.complete()
	c.resolvePaths(filepath.Dir(abs))
	c.validate(&errs)
	c.loadFiles(&errs)
	errs.fillLines(d.lines)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return &c, nil
}

// parseYAML returns the top mapping of a single-document file (nil for an
// empty file, which then fails validation like any file missing keys).
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the file must hold a single YAML document")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// loadFiles reads each action's source and checks that the other files
// named by the config exist, so `authd config check` catches a wrong path
// before the server starts.
func (c *Config) loadFiles(e *Errors) {
	for i := range c.Actions.PostLogin {
		act := &c.Actions.PostLogin[i]
		if act.File == "" {
			continue
		}
		p := fmt.Sprintf("actions.post-login[%d].file", i)
		src, err := os.ReadFile(act.File)
		switch {
		case err != nil:
			e.add(0, p, "%v", err)
		case len(src) > MaxActionSource:
			e.add(0, p, "must be at most %d bytes, is %d", MaxActionSource, len(src))
		default:
			act.Source = src
		}
	}
	checkFile(e, "tls.cert_file", c.TLS.CertFile)
	checkFile(e, "tls.key_file", c.TLS.KeyFile)
	checkFile(e, "geoip.database", c.GeoIP.Database)
}

func checkFile(e *Errors, path, file string) {
	if file == "" {
		return
	}
	fi, err := os.Stat(file)
	switch {
	case err != nil:
		e.add(0, path, "%v", err)
	case fi.IsDir():
		e.add(0, path, "%s is a folder, not a file", file)
	}
}
