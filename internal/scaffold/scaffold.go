// Package scaffold renders the files that "platformc init" and "platformc
// new" write, from templates embedded in the binary (templates/*.tmpl).
//
// The templates use {% and %} as delimiters, so that GitHub Actions'
// ${{ }} and CUE need no escaping. Every CUE file is formatted as "cue fmt"
// formats it before it is returned.
package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"

	"github.com/platformc/platformc/compiler/model"
	"github.com/platformc/platformc/schema"
)

//go:embed templates/*.tmpl
var templates embed.FS

var tmpl = template.Must(template.New("").Delims("{%", "%}").Option("missingkey=error").Funcs(template.FuncMap{
	"quote": func(s string) string { return literal.String.Quote(s) },
	"label": Label,
	"list": func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = literal.String.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	},
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}).ParseFS(templates, "templates/*.tmpl"))

// Label writes a CUE field label: bare if it can be, else quoted.
func Label(name string) string {
	if ast.StringLabelNeedsQuoting(name) {
		return literal.Label.Quote(name)
	}
	return name
}

// CUELanguageVersion is the CUE language version of the cue.mod/module.cue
// that init writes: that of the cuelang.org/go platformc is built with.
const CUELanguageVersion = "v0.17.0"

// File is one rendered file; Path is slash-separated, relative to the
// platform's root.
type File struct {
	Path string
	Data []byte
}

// Tenant is what tenants/<name>.cue says when created.
type Tenant struct {
	Name             string
	Owners, Clusters []string
	Services         []Service // none: an empty services struct, with an example in a comment
	Zone             string    // the DNS zone of all of its clusters, for the example's host; "" for none
}

// Service is a service of a new tenant.
type Service struct {
	Name, Image string
	Host        string // ingress host; "" for none
}

// TenantFile renders tenants/<name>.cue.
func TenantFile(t Tenant) (File, error) {
	return render("tenant.cue.tmpl", "tenants/"+t.Name+".cue", t)
}

// Cluster is what clusters/<name>.cue says when created.
type Cluster struct {
	Name, Environment, Account, Region string
	Version                            string // Kubernetes minor version
	Tenancy, Capacity                  string
	Zone, CIDR                         string
}

// ClusterFile renders clusters/<name>.cue.
func ClusterFile(c Cluster) (File, error) {
	return render("cluster.cue.tmpl", "clusters/"+c.Name+".cue", c)
}

// Repository is what "platformc init" needs to know.
type Repository struct {
	Name             string // the platform's name, platform.name
	RepoURL          string // the manifest repository, platform.repo.url
	RepoPath         string // its folder for the outputs, platform.repo.path
	Account, Region  string // of Argo CD and of the first environment
	Environment      string // the first environment
	Cluster          Cluster
	Tenant           Tenant
	Module           string // the CUE module's path
	CUEVersion       string // the CUE language version of cue.mod/module.cue
	PlatformcVersion string // the platformc release CI installs
}

// Init renders every file of a new platform repository, in the order they
// should be written.
func Init(r Repository) ([]File, error) {
	return renderAll(initFiles(r))
}

// Workflows renders the GitHub Actions workflows of a platform repository:
// the pull request diff comment and the publication on merge. They are
// also in docs/ci/github/.
func Workflows(r Repository) ([]File, error) {
	return renderAll(slices.DeleteFunc(initFiles(r), func(f fileTemplate) bool {
		return !strings.HasPrefix(f.path, ".github/workflows/")
	}))
}

type fileTemplate struct {
	tmpl, path string
	data       any
}

func initFiles(r Repository) []fileTemplate {
	return []fileTemplate{
		{"module.cue.tmpl", "cue.mod/module.cue", r},
		{"platform.cue.tmpl", "platform.cue", r},
		{"cluster.cue.tmpl", "clusters/" + r.Cluster.Name + ".cue", r.Cluster},
		{"tenant.cue.tmpl", "tenants/" + r.Tenant.Name + ".cue", r.Tenant},
		{"cdk.json.tmpl", "cdk.json", r},
		{"Makefile.tmpl", "Makefile", r},
		{"gitignore.tmpl", ".gitignore", r},
		{"platformc-diff.yml.tmpl", ".github/workflows/platformc-diff.yml", r},
		{"platformc-publish.yml.tmpl", ".github/workflows/platformc-publish.yml", r},
	}
}

func renderAll(fts []fileTemplate) ([]File, error) {
	var out []File
	for _, ft := range fts {
		f, err := render(ft.tmpl, ft.path, ft.data)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func render(name, file string, data any) (File, error) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return File{}, fmt.Errorf("rendering %s: %w", file, err)
	}
	out := b.Bytes()
	if path.Ext(file) == ".cue" {
		f, err := parser.ParseFile(file, out, parser.ParseComments)
		if err != nil {
			return File{}, fmt.Errorf("rendering %s: %w", file, err)
		}
		if out, err = format.Node(f); err != nil {
			return File{}, fmt.Errorf("rendering %s: %w", file, err)
		}
	}
	return File{Path: file, Data: out}, nil
}

// KnownVersions returns the Kubernetes versions of the embedded schema's
// EKS versions table, oldest first.
func KnownVersions() ([]string, error) {
	names, err := fs.Glob(schema.FS, "*.cue")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		src, err := fs.ReadFile(schema.FS, n)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(n, src)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			if l, _, err := ast.LabelName(fd.Label); err != nil || l != "versions" {
				continue
			}
			s, ok := fd.Value.(*ast.StructLit)
			if !ok {
				continue
			}
			for _, e := range s.Elts {
				if row, ok := e.(*ast.Field); ok {
					if v, isIdent, err := ast.LabelName(row.Label); err == nil && !isIdent {
						out = append(out, v)
					}
				}
			}
		}
	}
	slices.SortFunc(out, model.CompareVersions)
	return slices.Compact(out), nil
}
