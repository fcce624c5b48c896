package main

import (
	"bytes"
	"runtime/debug"
	"testing"
)

// TestModuleVersion checks the version gradgen reports for each way it
// can be built.
func TestModuleVersion(t *testing.T) {
	const path = "github.com/gradgen/gradgen"
	tests := []struct {
		name string
		main debug.Module
		want string
	}{
		{"go install @version, go tool", debug.Module{Path: path, Version: "v1.2.3"}, "v1.2.3"},
		{"pseudo-version", debug.Module{Path: path, Version: "v0.0.0-20261203150834-dc63194b1ed9"}, "v0.0.0-20261203150834-dc63194b1ed9"},
		{"go run in the source tree", debug.Module{Path: path, Version: "(devel)"}, "devel"},
		{"no version", debug.Module{Path: path}, "devel"},
		{"replaced by a folder", debug.Module{Path: path, Version: "v1.2.3", Replace: &debug.Module{Path: "../gradgen"}}, "devel"},
		{"replaced by a fork's version", debug.Module{Path: path, Version: "v1.2.3", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.2.4"}}, "v1.2.4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := moduleVersion(tt.main); got != tt.want {
				t.Errorf("moduleVersion(%+v) = %q, want %q", tt.main, got, tt.want)
			}
		})
	}
}

// TestVersionFlag checks that -version prints the version of a test
// binary, which is built from the source tree, and that it takes no other
// flag and no spec.
func TestVersionFlag(t *testing.T) {
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"-version"}, exitOK, "gradgen devel\n", ""},
		{[]string{"-version", "s.yaml"}, exitBad, "", "gradgen: -version takes no other flag and no spec\n"},
		{[]string{"-version", "-check"}, exitBad, "", "gradgen: -version takes no other flag and no spec\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || stdout.String() != tt.stdout || stderr.String() != tt.stderr {
			t.Errorf("gradgen %q: exit %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, code, &stdout, &stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
}
