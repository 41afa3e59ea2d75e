// Package tools pins the developer tools that the Makefile runs with
// "go tool -modfile=tools/go.mod", apart from platformc's own dependencies.
package tools
