package compiler

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/platformc/platformc/compiler/fstree"
	"github.com/platformc/platformc/compiler/load"
	"github.com/platformc/platformc/compiler/model"
)

// checkRemovals is the pre-upgrade check of API versions: no object that a
// cluster generation receives may use an API version that the
// generation's Kubernetes version no longer serves. Problems are reported
// at the cluster's version.
func checkRemovals(p *model.Platform, t *fstree.Tree) error {
	used := map[string][]string{} // "group/version/Kind" -> files using it
	for _, name := range t.Paths() {
		if path.Ext(name) != ".yaml" || path.Base(name) == "kustomization.yaml" {
			continue
		}
		f, _ := t.Get(name)
		if gvk := apiOf(f.Data); gvk != "" {
			used[gvk] = append(used[gvk], name)
		}
	}
	var errs load.Errors
	for _, c := range p.Clusters {
		for _, g := range c.Generations() {
			for since, removed := range p.APIRemovals {
				if minor(since) > minor(g.Version) {
					continue
				}
				for _, gvk := range removed {
					if files := used[gvk]; len(files) > 0 {
						errs = append(errs, &load.Error{
							Pos:  c.VersionPos,
							Path: load.Path("clusters", c.Name, "kubernetes", "version"),
							Msg:  fmt.Sprintf("Kubernetes %s no longer serves %s, which %s uses (%s)", since, gvk, files[0], g.Name()),
						})
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

func minor(v string) int {
	var n int
	fmt.Sscanf(strings.TrimPrefix(v, "1."), "%d", &n)
	return n
}
