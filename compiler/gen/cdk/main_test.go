package cdk_test

import (
	"os"
	"testing"

	"github.com/platformc/platformc/internal/jsiitest"
)

func TestMain(m *testing.M) { os.Exit(jsiitest.Main(m)) }
