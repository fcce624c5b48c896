package derive

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/spec"
)

// letChainSpec is n lets l_k = sin(l_{k−1}) .* l_{k−1} with a Hessian: the
// gradient's tree doubles at every let.
func letChainSpec(n int) string {
	var b strings.Builder
	b.WriteString("functions:\n  - name: L\n    inputs: {x: vector(n)}\n    hessian: true\n    let:\n      l0: x\n")
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&b, "      l%d: sin(l%d) .* l%d\n", k, k-1, k-1)
	}
	fmt.Fprintf(&b, "    expr: sum(l%d)\n", n)
	return b.String()
}

// TestListingLinearInLets checks that -explain of a let chain grows
// linearly with the number of lets in every notation, and that expanding
// the listing's definitions gives back the formula printed in full.
func TestListingLinearInLets(t *testing.T) {
	for _, style := range []Style{Plain, Unicode, LaTeX} {
		sizes := map[int]int{}
		for _, n := range []int{10, 20, 40} {
			sizes[n] = len(buildOne(t, letChainSpec(n)).Explain(style))
		}
		if sizes[40]-sizes[20] > 3*(sizes[20]-sizes[10]) {
			t.Errorf("style %d: explanation of 10, 20, 40 lets has %d, %d, %d bytes: not linear", style, sizes[10], sizes[20], sizes[40])
		}
	}
	fn := buildOne(t, letChainSpec(4))
	full := Format(fn.Grads[0], Plain, fn.Names)
	l := NewFunctionListing(fn, Plain)
	short := l.Format(fn.Grads[0])
	defs := l.Definitions()
	if len(defs) == 0 {
		t.Fatalf("no shared subexpression named in %s", full)
	}
	for i := len(defs) - 1; i >= 0; i-- { // outermost first: each may use earlier ones
		short = replaceName(short, defs[i].Name, "("+defs[i].Text+")")
	}
	if strip(short) != strip(full) {
		t.Errorf("listing expands to\n%s\nwant\n%s", short, full)
	}
}

// replaceName replaces the identifier name in s by text.
func replaceName(s, name, text string) string {
	var b strings.Builder
	isIdent := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], name) && (i == 0 || !isIdent(s[i-1])) && (i+len(name) == len(s) || !isIdent(s[i+len(name)])) {
			b.WriteString(text)
			i += len(name)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// strip drops spaces and parentheses, which naming may add or remove.
func strip(s string) string {
	return strings.NewReplacer(" ", "", "(", "", ")", "").Replace(s)
}

// TestGraphLimit checks that a derivation past the node limit is refused
// with a positioned error, not grown without bound.
func TestGraphLimit(t *testing.T) {
	defer func(n int) { maxNodes = n }(maxNodes)
	maxNodes = 300
	file, err := spec.Load("big.yaml", []byte(letChainSpec(30)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(file)
	want := "big.yaml:2:11: expression too large after differentiation: 301 nodes, limit 300"
	if err == nil || err.Error() != want {
		t.Errorf("Build: %v, want %s", err, want)
	}
}

// TestExplainLinearInNesting checks that explaining f(f(…f(A)…)) costs
// work linear in the depth for every function of the language and every
// notation: printing an argument twice per level (the Unicode and LaTeX
// inverse once did) doubles the work at every level. Allocations stand for
// work: depth 16 may allocate a few times what depth 8 does, not 2⁸ times.
func TestExplainLinearInNesting(t *testing.T) {
	for _, name := range FunctionNames() {
		nest := func(depth int) *Function {
			e := "A"
			for range depth {
				e = name + "(" + e + ")"
			}
			file, err := spec.Load("nest.yaml", []byte("functions:\n  - {name: F, inputs: {A: \"spd(n)\"}, hessian: true, expr: \"sum("+e+")\"}\n"))
			if err != nil {
				return nil
			}
			fns, err := Build(file)
			if err != nil {
				return nil
			}
			return fns[0]
		}
		shallow, deep := nest(8), nest(16)
		if shallow == nil || deep == nil {
			continue // not applicable to a square matrix, nested
		}
		for _, style := range []Style{Plain, Unicode, LaTeX} {
			a := testing.AllocsPerRun(1, func() { shallow.Explain(style) })
			b := testing.AllocsPerRun(1, func() { deep.Explain(style) })
			if b > 8*a {
				t.Errorf("%s nested 8 and 16 deep, style %d: Explain allocates %.0f and %.0f times: not linear", name, style, a, b)
			}
		}
	}
}

// TestListingShareAcross checks that ShareAcross names a subexpression
// that each of several formulas prints once (never one a single formula
// repeats by itself, which share already names), that the roots stay
// spelled out, and that expanding the names gives every formula back.
func TestListingShareAcross(t *testing.T) {
	src := "functions:\n  - name: G\n    inputs: {x: vector(n), A: \"matrix(n, n)\", b: vector(n)}\n" +
		"    expr: sum(exp(A * x + b) ./ (1 + exp(A * x + b)) .* sin(A * x + b))\n"
	fn := buildOne(t, src)
	roots := fn.Grads
	if len(roots) < 2 {
		t.Fatalf("want several gradients, got %d", len(roots))
	}
	var totals []int // bytes printed, formula by formula then across
	for _, c := range []struct {
		name  string
		share bool
	}{{"formula by formula", false}, {"across formulas", true}} {
		l := NewFunctionListing(fn, Plain)
		if c.share {
			l.ShareAcross(roots...)
		}
		var printed []string
		for _, r := range roots {
			printed = append(printed, l.Format(r))
		}
		defs := l.Definitions()
		if c.share && len(defs) == 0 {
			t.Errorf("%s: nothing named in %q", c.name, printed)
		}
		for k, r := range roots {
			if _, named := l.names[r]; named {
				t.Errorf("%s: root %d named", c.name, k)
			}
			got := printed[k]
			for i := len(defs) - 1; i >= 0; i-- {
				got = replaceName(got, defs[i].Name, "("+defs[i].Text+")")
			}
			if full := Format(r, Plain, fn.Names); strip(got) != strip(full) {
				t.Errorf("%s: formula %d expands to\n%s\nwant\n%s", c.name, k, got, full)
			}
		}
		total := 0
		for _, p := range printed {
			total += len(p)
		}
		totals = append(totals, total)
	}
	if totals[1]*2 > totals[0] {
		t.Errorf("formulas take %d bytes across, %d one by one: want at most half", totals[1], totals[0])
	}
}
