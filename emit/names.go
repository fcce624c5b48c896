package emit

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"

	"github.com/gradgen/gradgen/derive"
)

// scope hands out Go identifiers that collide with nothing in a generated
// function: inputs, dimensions, predeclared names and each other.
type scope struct{ taken map[string]bool }

var predeclared = strings.Fields(`any append bool byte cap clear close complex complex64 complex128
	copy delete error false float32 float64 imag int int8 int16 int32 int64 iota len make max min new
	nil panic print println real recover rune string true uint uint8 uint16 uint32 uint64 uintptr`)

func newScope() *scope {
	s := &scope{taken: map[string]bool{}}
	for _, p := range predeclared {
		s.taken[p] = true
	}
	return s
}

// reserve marks name as used by the spec (an input or a dimension).
func (s *scope) reserve(name string) { s.taken[name] = true }

// fresh returns base, or base2, base3, … when base is taken.
func (s *scope) fresh(base string) string {
	if base == "" || token.IsKeyword(base) || !token.IsIdentifier(base) {
		base = "t" + base
	}
	name := base
	for k := 2; s.taken[name]; k++ {
		name = base + strconv.Itoa(k)
	}
	s.taken[name] = true
	return name
}

// maxNameLen bounds names built from an expression's structure.
const maxNameLen = 14

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
	case derive.OpConst, derive.OpAdd, derive.OpScale, derive.OpHadamard, derive.OpDiv, derive.OpPow,
		derive.OpBroadcast, derive.OpEye:
		return ""
	}
	if len(n.Args) == 1 {
		if s := spell(n.Args[0], names, depth-1); s != "" {
			return opWord(n.Op) + capitalise(s)
		}
	}
	return ""
}

func opWord(op *derive.Op) string {
	switch op {
	case derive.OpDiagMat, derive.OpDiagVec:
		return "diag"
	}
	return op.Name
}

func generic(n *derive.Node) string {
	switch n.Op.Kind {
	case derive.KindProduct:
		return "prod"
	case derive.KindReduce:
		return opWord(n.Op)
	case derive.KindLinalg:
		return n.Op.Name
	}
	if n.Shape.IsScalar() {
		return "s"
	}
	return "tmp"
}

func capitalise(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
