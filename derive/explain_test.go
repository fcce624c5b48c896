package derive

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"github.com/gradgen/gradgen/spec"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExplainWorkedExamples pins the derivations of the five worked
// examples of the differential-method text, in each notation.
func TestExplainWorkedExamples(t *testing.T) {
	checkExplain(t, "../generated_test/worked.yaml", "worked")
}

// TestExplainHigher pins the derivations of the derivatives beyond the
// gradient (dᵏF/dtᵏ, Jacobians from their structure, Hessians), in each
// notation.
func TestExplainHigher(t *testing.T) {
	checkExplain(t, "../generated_test/higher/higher.yaml", "higher")
}

// TestExplainLanguage pins the derivations through reductions and softmax
// along a dimension, implicit expansion and matrix powers.
func TestExplainLanguage(t *testing.T) {
	checkExplain(t, "testdata/language.yaml", "language")
}

// checkExplain compares the derivations of every function of the spec at
// path with testdata/explain-<name>.<style>.golden.
func checkExplain(t *testing.T, path, name string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	file, err := spec.Load(filepath.Base(path), src)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Build(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []struct {
		name  string
		style Style
	}{{"plain", Plain}, {"unicode", Unicode}, {"latex", LaTeX}} {
		var out string
		for i, fn := range fns {
			if i > 0 {
				out += "\n"
			}
			out += fn.Explain(style.style)
		}
		if style.style == LaTeX {
			if problem := latexProblem(out); problem != "" {
				t.Errorf("the LaTeX derivation of %s %s", path, problem)
			}
		}
		golden := filepath.Join("testdata", "explain-"+name+"."+style.name+".golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./derive -update)", err)
		}
		if out != string(want) {
			t.Errorf("%s derivation differs from %s:\n%s", style.name, golden, out)
		}
	}
}

// latexProblem returns what makes the LaTeX s fail to typeset, "" if
// nothing does: a brace or a \left without its partner, or a double
// superscript (a superscript on a base that already has one).
func latexProblem(s string) string {
	depth, lefts := 0, 0
	// sup[d] reports that the last thing closed at brace depth d was a
	// superscript (^x, ^\top, ^{…}).
	sup := map[int]bool{}
	inSup := map[int]bool{} // a superscript group opened at depth d
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '{':
			depth++
			sup[depth] = false
		case '}':
			if depth == 0 {
				return fmt.Sprintf("closes a brace never opened at byte %d: %q", i, excerpt(s, i))
			}
			depth--
			sup[depth] = inSup[depth]
			inSup[depth] = false
		case '^':
			if sup[depth] {
				return fmt.Sprintf("has a double superscript at byte %d: %q", i, excerpt(s, i))
			}
			switch {
			case i+1 < len(s) && s[i+1] == '{':
				inSup[depth] = true
			case i+1 < len(s) && s[i+1] == '\\':
				j := i + 2
				for j < len(s) && unicode.IsLetter(rune(s[j])) {
					j++
				}
				i = j - 1
				sup[depth] = true
			default:
				i++
				sup[depth] = true
			}
		case '\\':
			j := i + 1
			for j < len(s) && unicode.IsLetter(rune(s[j])) {
				j++
			}
			switch s[i+1 : j] {
			case "left":
				lefts++
			case "right":
				lefts--
				if lefts < 0 {
					return fmt.Sprintf("has a \\right without its \\left at byte %d: %q", i, excerpt(s, i))
				}
			}
			if j == i+1 && j < len(s) {
				j++ // a control symbol, \, or \\
			}
			i = j - 1
			sup[depth] = false
		case ' ', '\n':
		default:
			sup[depth] = false
		}
	}
	switch {
	case depth != 0:
		return fmt.Sprintf("leaves %d braces open", depth)
	case lefts != 0:
		return fmt.Sprintf("leaves %d \\left without its \\right", lefts)
	}
	return ""
}

// excerpt returns the text of s around byte i.
func excerpt(s string, i int) string { return s[max(i-30, 0):min(i+10, len(s))] }
