package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGolden checks the whole output of -check on a stale file, edited
// by hand in three places (a line changed, a line deleted, a line added at
// the end without a line break), against testdata/check/stale.golden:
// a unified diff with a hunk for each edit, then the command that
// regenerates it. `go test -update` rewrites the golden file.
func TestCheckGolden(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", "check", "stale.golden"))
	if err != nil {
		t.Fatal(err)
	}
	inTempDir(t, map[string]string{"quad.yaml": testdata(t, "quad.yaml")})
	args := []string{"-o", "quad_grad.go", "-pkg", "quad", "quad.yaml"}
	if r := gradgen(t, args...); r.code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.SplitAfter(readFile(t, "quad_grad.go"), "\n")
	if len(lines) < 40 {
		t.Fatalf("quad_grad.go has %d lines, want at least 40", len(lines))
	}
	lines[11] = "// edited by hand\n"
	lines = append(lines[:30], lines[31:]...)
	lines = append(lines, "// added by hand")
	writeFile(t, "quad_grad.go", strings.Join(lines, ""))

	r := gradgen(t, append([]string{"-check"}, args...)...)
	if r.code != exitStale || r.stderr != "" {
		t.Errorf("exit code %d, want %d; stderr:\n%s", r.code, exitStale, r.stderr)
	}
	if *update {
		if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := testdata(t, "check/stale.golden"); r.stdout != want {
		t.Errorf("stdout:\n%s\nwant (testdata/check/stale.golden; go test -update rewrites it):\n%s", r.stdout, want)
	}
}
