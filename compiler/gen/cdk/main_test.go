package cdk_test

import (
	"os"
	"testing"

	"github.com/platformc/platformc/compiler/gen/cdk"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cdk.Close()
	os.Exit(code)
}
