//go:build tools

// Package tool only exists to pin go.k6.io/xk6 in go.mod/go.sum.
package tool

import _ "go.k6.io/xk6"
