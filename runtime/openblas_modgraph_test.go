package runtime_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdopterModuleGraph builds a fresh module of a user's from a generated
// file (examples/logreg) that requires gradgen through a replace, runs go mod
// tidy and go mod graph offline, and checks that nothing the generated code
// does not need reaches the user's module graph: neither the OpenBLAS
// binding (gonum.org/v1/netlib, in the nested module runtime/openblas) nor,
// through gradgen, the benchmark report's charts (gonum.org/v1/plot, in the
// nested module bench).
func TestAdopterModuleGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module example.com/adopter\n\ngo 1.24\n\nrequire github.com/gradgen/gradgen v0.0.0\n\nreplace github.com/gradgen/gradgen => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"logreg_grad.go", "main.go"} {
		data, err := os.ReadFile(filepath.Join(root, "examples", "logreg", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Offline, against the module cache: every module the user needs is one
	// gradgen itself needs.
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("mod", "tidy")
	run("build", "./...")
	// gonum's own go.mod requires gonum.org/v1/plot, so plot may be in the
	// graph through gonum; gradgen must add neither it nor netlib.
	graph := run("mod", "graph")
	for line := range strings.SplitSeq(graph, "\n") {
		from, to, _ := strings.Cut(line, " ")
		if strings.Contains(to, "gonum.org/v1/netlib") ||
			strings.HasPrefix(from, "github.com/gradgen/gradgen") && strings.Contains(to, "gonum.org/v1/plot") {
			t.Errorf("go mod graph of a module using generated code has the edge %s", line)
		}
	}
}
