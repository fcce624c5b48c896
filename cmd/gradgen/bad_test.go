package main

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/bad")

// The corpus of bad specs: testdata/bad/NAME.yaml, with NAME.golden the
// exact stderr of
//
//	gradgen -o out_grad.go NAME.yaml
//
// run in a temporary directory that holds a copy of the spec and an
// existing out_grad.go. Specs too large to commit are built by the test
// (badGenerated) and have only their golden file. `go test -update`
// rewrites the golden files.

// badGenerated builds the specs of the corpus that are not committed.
var badGenerated = map[string]func() string{
	// A 60,000-character unknown function and undefined name: the message
	// shows 256 bytes of each (spec.Errorf), not the whole name.
	"long_name_function": func() string {
		return "functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: sum(" + strings.Repeat("a", 60000) + "(x))\n"
	},
	"long_name_undefined": func() string {
		return "functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: sum(" + strings.Repeat("b", 60000) + ")\n"
	},
	// A valid spec padded with a comment to one byte over 1 MiB.
	"too_big": func() string {
		return padTo("functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: sum(x)\n", maxSpecSize+1)
	},
	// A valid expression over 64 KiB, as a block scalar of short lines.
	"expr_too_long": func() string {
		const line = "x' * x +\n" // in the expression, without the indentation
		n := (64<<10)/len(line) + 1
		return "functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: |\n" +
			strings.Repeat("      "+line, n) + "      x' * x\n"
	},
	// An alias of a 200 KiB scalar, used six times: over 1 MiB expanded,
	// in a file of 200 KiB.
	"yaml_alias_text": func() string {
		return "long: &s " + strings.Repeat("x", 200<<10) + "\n" +
			"more: [*s, *s, *s, *s, *s, *s]\n" + lgoSpec
	},
	// Lines far longer than an error shows (60,000 characters of a string,
	// 10,000 parentheses, an unknown function after tabs and multi-byte
	// names half-way along a long line): the error shows a window around
	// the column, with the caret under it.
	"long_line_string": func() string {
		return "functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: sum(x) + \"" + strings.Repeat("a", 60000) + "\"\n"
	},
	"long_line_parens": func() string {
		return "functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: " + strings.Repeat("(", 10000) + "sum(x)" + strings.Repeat(")", 10000) + "\n"
	},
	"long_line_middle": func() string {
		return "functions:\n  - name: F\n    inputs:\n      é: vector(n)\n    expr: " + strings.Repeat("sum(é) +\t", 3000) +
			"sum(lgo(é))" + strings.Repeat(" + sum(é)", 3000) + "\n"
	},
	// Line breaks and a byte order mark that editors may change are made
	// here rather than committed.
	"crlf": func() string { return strings.ReplaceAll(lgoSpec, "\n", "\r\n") },
	"bom":  func() string { return "\uFEFF" + lgoSpec },
}

// lgoSpec misspells log.
const lgoSpec = "functions:\n  - name: F\n    inputs:\n      x: vector(n)\n    expr: sum(lgo(x))\n"

// badCompanions lists, for the specs whose mistake needs a second spec in
// the same run, the testdata file passed before it as loss.yaml.
var badCompanions = map[string]string{
	"collide":  "bilinear.yaml", // a function named like one of loss.yaml
	"otherpkg": "bilinear.yaml", // package other against loss.yaml's package loss
}

// badCases returns the names of the corpus, sorted: every spec file in
// testdata/bad and every generated spec.
func badCases(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	for name := range testdataFiles {
		dir, base := filepath.Split(name)
		if dir != "bad/" {
			continue
		}
		switch ext := filepath.Ext(base); ext {
		case ".yaml":
			seen[strings.TrimSuffix(base, ext)] = true
		case ".golden":
			stem := strings.TrimSuffix(base, ext)
			if _, ok := testdataFiles["bad/"+stem+".yaml"]; !ok && badGenerated[stem] == nil {
				t.Errorf("testdata/bad/%s has no spec", base)
			}
		default:
			t.Errorf("testdata/bad/%s is neither a spec nor a golden file", base)
		}
	}
	for name := range badGenerated {
		if seen[name] {
			t.Errorf("generated spec %s is also in testdata/bad", name)
		}
		seen[name] = true
	}
	var names []string
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestBadSpecs runs the command on each bad spec of the corpus: it must
// exit 2 with exactly the golden stderr, no stack trace, nothing on
// stdout, the existing output byte for byte as it was and no file
// written, temporary or not.
func TestBadSpecs(t *testing.T) {
	names := badCases(t)
	if len(names) < 40 {
		t.Errorf("the corpus has %d bad specs, want at least 40", len(names))
	}
	goldenDir, err := filepath.Abs(filepath.Join("testdata", "bad"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			spec := name + ".yaml"
			var src string
			if gen := badGenerated[name]; gen != nil {
				src = gen()
			} else {
				src = testdata(t, "bad/"+spec)
			}
			files := map[string]string{spec: src, "out_grad.go": existing}
			args := []string{"-o", "out_grad.go"}
			if companion := badCompanions[name]; companion != "" {
				files["loss.yaml"] = testdata(t, companion)
				args = append(args, "loss.yaml")
			}
			args = append(args, spec)
			dir := inTempDir(t, files)
			before := snapshot(t, dir)

			r := gradgen(t, args...)

			if r.code != exitBad {
				t.Errorf("exit code %d, want %d", r.code, exitBad)
			}
			if r.stdout != "" {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			for _, trace := range []string{"goroutine", "panic"} {
				if strings.Contains(r.stderr, trace) {
					t.Errorf("stderr holds %q:\n%s", trace, r.stderr)
				}
			}
			if !strings.HasPrefix(r.stderr, spec+":") {
				t.Errorf("stderr does not start with the spec's name:\n%s", r.stderr)
			}
			if got := readFile(t, "out_grad.go"); got != existing {
				t.Errorf("out_grad.go was changed:\n%s", got)
			}
			sameTree(t, dir, before)

			golden := filepath.Join(goldenDir, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(r.stderr), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := testdataFiles["bad/"+name+".golden"]
			if !ok {
				t.Fatalf("no testdata/bad/%s.golden; run go test -update to write it; stderr:\n%s", name, r.stderr)
			}
			if r.stderr != want {
				t.Errorf("stderr:\n%s\nwant (testdata/bad/%s.golden):\n%s", r.stderr, name, want)
			}
		})
	}
}
