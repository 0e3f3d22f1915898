//go:build tools

// Package engine only pins the Pulumi CLI's main package so that `go mod tidy`
// keeps its dependencies in go.sum.
package engine

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
