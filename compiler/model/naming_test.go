package model_test

import (
	"testing"

	"github.com/platformc/platformc/compiler/model"
)

// TestCompareVersions orders Kubernetes versions by their minor number.
func TestCompareVersions(t *testing.T) {
	if model.CompareVersions("1.9", "1.10") >= 0 || model.CompareVersions("1.31", "1.31") != 0 || model.Minor("1.35") != 35 {
		t.Error("1.9 < 1.10, 1.31 = 1.31, minor of 1.35 is 35")
	}
}
