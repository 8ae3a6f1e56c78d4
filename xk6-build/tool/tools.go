//go:build tools

// Package tool only exists to pin the Go tools the build and the checks use (xk6, staticcheck) in go.mod/go.sum.
package tool

import (
	_ "go.k6.io/xk6"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
