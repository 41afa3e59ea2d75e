package naming_test

import (
	"testing"

	"github.com/platformc/platformc/compiler/gen/naming"
	"github.com/platformc/platformc/compiler/model"
)

// TestFilesConfigMap: the ConfigMap of a workload's files is named after
// its paths and contents, so that changing either changes the name the
// pod template gives, which rolls the pods; the same files, the same name.
func TestFilesConfigMap(t *testing.T) {
	w := func(files ...string) *model.Workload {
		out := &model.Workload{Name: "api"}
		for i := 0; i+1 < len(files); i += 2 {
			out.Files = append(out.Files, model.File{Path: files[i], Content: files[i+1]})
		}
		return out
	}
	base := naming.FilesConfigMap(w("/etc/app/a.yaml", "x: 1", "/etc/app/b.yaml", "y: 2"))
	if again := naming.FilesConfigMap(w("/etc/app/a.yaml", "x: 1", "/etc/app/b.yaml", "y: 2")); again != base {
		t.Errorf("the same files are named %s, then %s", base, again)
	}
	for name, other := range map[string]*model.Workload{
		"content":  w("/etc/app/a.yaml", "x: 2", "/etc/app/b.yaml", "y: 2"),
		"path":     w("/etc/app/c.yaml", "x: 1", "/etc/app/b.yaml", "y: 2"),
		"boundary": w("/etc/app/a.yaml", "x: 1/etc/app/b.yaml", "/", "y: 2"),
		"removed":  w("/etc/app/a.yaml", "x: 1"),
	} {
		if got := naming.FilesConfigMap(other); got == base {
			t.Errorf("%s changed, the name did not: %s", name, got)
		}
	}
	if got := naming.FileKey("/etc/app/config.yaml"); got != "etc_app_config.yaml" {
		t.Errorf("FileKey: %s", got)
	}
}
