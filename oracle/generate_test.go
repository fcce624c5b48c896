package oracle

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestGeneratorCoversLanguage checks that the functions TestOracle checks
// by default (the first 1,500 of seed 1) call every function a spec may
// call: the generator probes derive's table, so a new operator is drawn
// with no edit here, and this test fails if one is not (say, its argument
// shapes are ones the generator never draws).
func TestGeneratorCoversLanguage(t *testing.T) {
	c := &Campaign{N: 1500, Seed: 1}
	call := map[string]*regexp.Regexp{}
	for _, name := range derive.FunctionNames() {
		call[name] = regexp.MustCompile(`\b` + name + `\(`)
	}
	calls := map[string]int{}
	for _, fc := range c.Cases() {
		text := fc.YAML()
		for name, re := range call {
			if re.MatchString(text) {
				calls[name]++
			}
		}
	}
	for _, name := range derive.FunctionNames() {
		if calls[name] == 0 {
			t.Errorf("no function of the default campaign calls %s(…)", name)
		}
	}
	t.Logf("functions calling each name: %v", calls)
}

// formsOf names the Forms a case draws: reductions along a literal
// dimension, implicit expansion (matrix first or vector first) and
// matrix powers.
func formsOf(c *Case) map[string]bool {
	found := map[string]bool{}
	var walk func(e *expr)
	walk = func(e *expr) {
		switch {
		case e.kind == "call" && len(e.args) == 2 && e.args[1].kind == "num" && (e.args[1].name == "1" || e.args[1].name == "2"):
			found[e.name+"(·, "+e.args[1].name+")"] = true
		case e.kind == "bin" && e.name == "^" && !e.shape.isScalar():
			found["X ^ "+e.args[1].name] = true
		case e.kind == "bin" && e.name != "*" && !e.args[0].shape.isScalar() && !e.args[1].shape.isScalar() && e.args[0].shape != e.args[1].shape:
			x, y := e.args[0].shape, e.args[1].shape
			if y == e.shape {
				x, y = y, x
				found["vector first"] = true
			}
			if y.isCol() {
				found["M "+e.name+" vector"] = true
			} else {
				found["M "+e.name+" row"] = true
			}
		}
		for _, a := range e.args {
			walk(a)
		}
	}
	for _, l := range c.Lets {
		walk(l.e)
	}
	walk(c.Expr)
	// Shared: a compound subexpression drawn twice, and a function beside
	// its joint kernel's partner of the same argument.
	seen := map[string]int{}
	calls := map[string]bool{}
	var shared func(e *expr)
	shared = func(e *expr) {
		if e.size() > 1 && e.kind != "t" && e.kind != "neg" {
			seen[e.String()]++
		}
		if e.kind == "call" && len(e.args) == 1 {
			calls[e.name+"|"+e.args[0].String()] = true
		}
		for _, a := range e.args {
			shared(a)
		}
	}
	for _, l := range c.Lets {
		shared(l.e)
	}
	shared(c.Expr)
	for _, k := range seen {
		if k > 1 {
			found["a value twice"] = true
		}
	}
	for call := range calls {
		if name, arg, _ := strings.Cut(call, "|"); name == "softplus" && calls["sigmoid|"+arg] {
			found["softplus(Z) and sigmoid(Z)"] = true
		}
	}
	return found
}

// TestGeneratorCoversForms checks that the default campaign draws each
// of the Forms (issue 14's additions) in every variant, often enough to
// meet its bugs: sum, mean, logsumexp and softmax along each dimension,
// expansion by a vector and by a row vector under each operator and in
// either order, each matrix power, a value drawn twice and a joint
// kernel's pair of functions of one argument (Shared).
func TestGeneratorCoversForms(t *testing.T) {
	c := &Campaign{N: 1500, Seed: 1}
	counts := map[string]int{}
	for _, fc := range c.Cases() {
		for f := range formsOf(fc) {
			counts[f]++
		}
	}
	var want []string
	for _, f := range []string{"sum", "mean", "logsumexp", "softmax"} {
		want = append(want, f+"(·, 1)", f+"(·, 2)")
	}
	for _, op := range []string{"+", "-", ".*", "./"} {
		want = append(want, "M "+op+" vector", "M "+op+" row")
	}
	want = append(want, "vector first", "X ^ 1", "X ^ 2", "X ^ 3", "X ^ 4", "a value twice", "softplus(Z) and sigmoid(Z)")
	for _, f := range want {
		if counts[f] < 10 {
			t.Errorf("%d functions of the default campaign draw %s, want at least 10", counts[f], f)
		}
	}
	t.Logf("functions drawing each form: %v", counts)
}

// TestGeneratedCasesBuild checks that every function of the default
// campaign is a valid spec (shapes agree): the generator's shape rules
// are the language's.
func TestGeneratedCasesBuild(t *testing.T) {
	c := &Campaign{N: 1500, Seed: 1}
	for _, fc := range c.Cases() {
		if _, fail := build(fc); fail != nil {
			t.Errorf("%s\n%s", fail.Msg, fc.YAML())
		}
	}
}

// TestReductionsBuild checks that the shrinker's one-step reductions of
// functions drawing the Forms are valid specs: a literal dimension or
// exponent is never replaced, and every replacement keeps its shape.
func TestReductionsBuild(t *testing.T) {
	c := &Campaign{N: 2000, Seed: 3}
	checked := 0
	for _, fc := range c.Cases() {
		if len(formsOf(fc)) == 0 {
			continue
		}
		for _, r := range reductions(fc) {
			checked++
			if _, fail := build(r); fail != nil {
				t.Errorf("a reduction of\n%sdoes not build: %s\n%s", fc.YAML(), fail.Msg, r.YAML())
			}
		}
	}
	t.Logf("%d reductions checked", checked)
}
