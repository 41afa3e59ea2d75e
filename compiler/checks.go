package compiler

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/platformc/platformc/compiler/diag"
	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/model"
)

// checkRemovals is the pre-upgrade check of API versions: no object that a
// cluster generation receives may use an API version that the
// generation's Kubernetes version no longer serves. used maps each
// "group/version/Kind" that the output uses to its first file by path
// (apisUsed). Problems are reported at the cluster's version.
func checkRemovals(p *model.Platform, used map[string]string) error {
	var errs diag.List
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			for since, removed := range p.APIRemovals {
				if model.Minor(since) > model.Minor(g.Version) {
					continue
				}
				for _, gvk := range removed {
					if file := used[gvk]; file != "" {
						errs = append(errs, diag.Errorf(c.VersionPos, diag.Path("clusters", c.Name, "kubernetes", "version"),
							"Kubernetes %s no longer serves %s, which %s uses (%s)", since, gvk, file, g.Name()))
					}
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// apisUsed maps each "group/version/Kind" of the objects of t to the
// first file, by path, that uses it.
func apisUsed(t *fstree.Tree) map[string]string {
	used := map[string]string{}
	for _, name := range t.Paths() {
		f, _ := t.Get(name)
		if gvk := apiOfFile(f); gvk != "" && used[gvk] == "" {
			used[gvk] = name
		}
	}
	return used
}

// apiOf reads "group/version/Kind" from the top-level apiVersion and kind
// lines of a canonical YAML document.
func apiOf(data []byte) string {
	var api, kind string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() && (api == "" || kind == "") {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "apiVersion: "); ok {
			api = v
		} else if v, ok := strings.CutPrefix(line, "kind: "); ok {
			kind = v
		}
	}
	if api == "" || kind == "" {
		return ""
	}
	return api + "/" + kind
}
