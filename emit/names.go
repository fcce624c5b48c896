package emit

import (
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// scope hands out Go identifiers that collide with nothing in a generated
// function: its inputs and dimensions, the package-level names it may
// refer to, the names spec.Reserved keeps for generated code (predeclared
// identifiers, imported packages, gradgen's helpers) and each other.
type scope struct {
	taken   map[string]bool
	parents []*scope // every name taken in a parent is taken here
	// chosen, when set, records every name fresh returns in this scope
	// or in a scope over it: one spec function's, in emitFunctions.
	chosen map[string]bool
}

// newScope returns a scope in which the names of each of others are taken
// (the package-level names, for the scope of a function body). It refers
// to them rather than copying them, so a spec of many functions costs
// each function its own names only. It records its choices where its
// first parent that records them does.
func newScope(others ...*scope) *scope {
	s := &scope{taken: map[string]bool{}, parents: others}
	for _, o := range others {
		if o.chosen != nil {
			s.chosen = o.chosen
			break
		}
	}
	return s
}

// has reports whether name is taken in s or a parent.
func (s *scope) has(name string) bool {
	if s.taken[name] {
		return true
	}
	for _, p := range s.parents {
		if p.has(name) {
			return true
		}
	}
	return false
}

// reserve marks name as used by the spec (an input or a dimension) or
// declared at package level.
func (s *scope) reserve(name string) { s.taken[name] = true }

// free reports whether name is neither taken in s nor reserved.
func (s *scope) free(name string) bool { return !s.has(name) && !spec.Reserved(name) }

// fresh returns base, or base2, base3, … when base is taken, free in s and
// in each of also (a package-level name must not be taken by the locals
// of the function that refers to it); the name is taken in all of them.
// A base that is not an identifier, or that starts with gradgen's helper
// prefix, gets a t in front.
func (s *scope) fresh(base string, also ...*scope) string {
	if base == "" || token.IsKeyword(base) || !token.IsIdentifier(base) || strings.HasPrefix(base, spec.HelperPrefix) {
		base = genericEmpty + base
	}
	isFree := func(name string) bool {
		for _, o := range also {
			if !o.free(name) {
				return false
			}
		}
		return s.free(name)
	}
	name := base
	for k := 2; !isFree(name); k++ {
		name = base + strconv.Itoa(k)
	}
	s.taken[name] = true
	for _, o := range also {
		o.taken[name] = true
	}
	if s.chosen != nil {
		s.chosen[name] = true
	}
	return name
}

// maxNameLen bounds names built from an expression's structure.
const maxNameLen = 16

// nodeName suggests a local name that says what n holds: Xb for X b,
// expXb for exp(X b), sumExpZ for sum(exp(z)); a generic name when the
// structure is too long to spell.
func nodeName(n *derive.Node, names map[*derive.Node]string) string {
	s := spell(n, names, 3)
	if s == "" || len(s) > maxNameLen {
		return generic(n)
	}
	return s
}

func spell(n *derive.Node, names map[*derive.Node]string, depth int) string {
	if name, ok := names[n]; ok {
		return name
	}
	if depth == 0 {
		return ""
	}
	switch n.Op {
	case derive.OpVar:
		return n.Name
	case derive.OpTranspose:
		if s := spell(n.Args[0], names, depth-1); s != "" {
			return s + "T"
		}
		return ""
	case derive.OpMul:
		var b strings.Builder
		for _, a := range n.Args {
			s := spell(a, names, depth-1)
			if s == "" {
				return ""
			}
			b.WriteString(s)
		}
		return b.String()
	case derive.OpAdd:
		return spellSum(n, names, depth)
	case derive.OpScale:
		if c := n.Args[0]; c.IsConst(-1) {
			if s := spell(n.Args[1], names, depth-1); s != "" {
				return "neg" + capitalise(s)
			}
		}
		return ""
	case derive.OpHadamard:
		l, r := spell(n.Args[0], names, depth-1), spell(n.Args[1], names, depth-1)
		if l == "" || r == "" {
			return ""
		}
		return l + capitalise(r)
	case derive.OpConst, derive.OpDiv, derive.OpPow, derive.OpBroadcast, derive.OpEye:
		return ""
	}
	if len(n.Args) == 1 {
		if s := spell(n.Args[0], names, depth-1); s != "" {
			return opWord(n.Op) + capitalise(s)
		}
	}
	return ""
}

// spellSum spells a sum of two terms a ± b as aPlusB or aMinusB, and a
// constant term 1 as one (1 - y is oneMinusY).
func spellSum(n *derive.Node, names map[*derive.Node]string, depth int) string {
	if len(n.Args) != 2 {
		return ""
	}
	term := func(t *derive.Node) string {
		if t.IsConst(1) || t.IsFill(1) {
			return "one"
		}
		return spell(t, names, depth-1)
	}
	l := term(n.Args[0])
	word, t := "Plus", n.Args[1]
	if neg, rest := negated(t); neg {
		word, t = "Minus", rest
	}
	r := term(t)
	if l == "" || r == "" {
		return ""
	}
	return l + word + capitalise(r)
}

func opWord(op *derive.Op) string {
	switch op {
	case derive.OpDiagMat, derive.OpDiagVec:
		return "diag"
	}
	return op.Name
}

// The generic names: what a value is called when its formula is too long
// to spell (generic, partialName), or spells to nothing (fresh). They say
// nothing of what a value holds, so no other name is spelt from them
// (genericName).
const (
	genericProduct = "prod"
	genericScalar  = "s"
	genericValue   = "tmp"
	genericEmpty   = "t"
)

// genericName matches a generic name, with the number fresh may add.
var genericName = regexp.MustCompile(`^(` + strings.Join([]string{genericProduct, genericScalar, genericValue, genericEmpty}, "|") + `)[0-9]*$`)

// generic names n by its kind: generic for a product or a value, the
// operator's word for a reduction, a kernel or a linear-algebra function.
func generic(n *derive.Node) string {
	switch n.Op.Kind {
	case derive.KindProduct:
		return genericProduct
	case derive.KindReduce, derive.KindKernel:
		return opWord(n.Op)
	case derive.KindLinalg:
		return n.Op.Name
	}
	if n.Shape.IsScalar() {
		return genericScalar
	}
	return genericValue
}

func capitalise(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
