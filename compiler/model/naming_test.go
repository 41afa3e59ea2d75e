package model_test

import (
	"testing"

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
	base := w("/etc/app/a.yaml", "x: 1", "/etc/app/b.yaml", "y: 2").FilesConfigMap()
	if again := w("/etc/app/a.yaml", "x: 1", "/etc/app/b.yaml", "y: 2").FilesConfigMap(); again != base {
		t.Errorf("the same files are named %s, then %s", base, again)
	}
	for name, other := range map[string]*model.Workload{
		"content":  w("/etc/app/a.yaml", "x: 2", "/etc/app/b.yaml", "y: 2"),
		"path":     w("/etc/app/c.yaml", "x: 1", "/etc/app/b.yaml", "y: 2"),
		"boundary": w("/etc/app/a.yaml", "x: 1/etc/app/b.yaml", "/", "y: 2"),
		"removed":  w("/etc/app/a.yaml", "x: 1"),
	} {
		if got := other.FilesConfigMap(); got == base {
			t.Errorf("%s changed, the name did not: %s", name, got)
		}
	}
	if got := model.FileKey("/etc/app/config.yaml"); got != "etc_app_config.yaml" {
		t.Errorf("FileKey: %s", got)
	}
}

// TestCompareVersions orders Kubernetes versions by their minor number.
func TestCompareVersions(t *testing.T) {
	if model.CompareVersions("1.9", "1.10") >= 0 || model.CompareVersions("1.31", "1.31") != 0 || model.Minor("1.35") != 35 {
		t.Error("1.9 < 1.10, 1.31 = 1.31, minor of 1.35 is 35")
	}
}
