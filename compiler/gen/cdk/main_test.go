package cdk_test

import (
	"os"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk/jsiisynth"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsiisynth.Close()
	os.Exit(code)
}
