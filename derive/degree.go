package derive

// Degree reports whether f is positively homogeneous in the variables
// vars taken together, f(t·v) = tᵈ f(v) for t > 0, and returns d. By
// Euler's theorem such an f equals (1/d) Σ ⟨∂f/∂v, v⟩ for d ≠ 0, so code
// that forms the gradient anyway can read f off it instead of paying for
// the forward products: tr(Wᵀ A W) = ½ Σ ((A + Aᵀ) W) ⊙ W.
func Degree(f *Node, vars []*Node) (int, bool) {
	in := map[*Node]bool{}
	for _, v := range vars {
		in[v] = true
	}
	type result struct {
		d  int
		ok bool
	}
	memo := map[*Node]result{}
	var deg func(n *Node) (int, bool)
	deg = func(n *Node) (int, bool) {
		if r, done := memo[n]; done {
			return r.d, r.ok
		}
		d, ok := 0, true
		args := make([]int, len(n.Args))
		for i, a := range n.Args {
			if args[i], ok = deg(a); !ok {
				break
			}
		}
		constant := true // every argument has degree 0
		for _, a := range args {
			constant = constant && a == 0
		}
		switch {
		case !ok:
		case n.Op == OpVar:
			if in[n] {
				d = 1
			}
		case n.Op == OpConst || n.Op == OpEye:
		case n.Op == OpBroadcast || n.Op == OpTranspose || n.Op == OpSum || n.Op == OpTr ||
			n.Op == OpDiagMat || n.Op == OpDiagVec || n.Op == OpNorm2 || n.Op == OpAbs || n.Op == OpRelu:
			d = args[0]
		case n.Op == OpSign:
		case n.Op == OpAdd:
			d = args[0]
			for _, a := range args[1:] {
				ok = ok && a == d
			}
		case n.Op == OpScale || n.Op == OpMul || n.Op == OpHadamard:
			for _, a := range args {
				d += a
			}
		case n.Op == OpDiv:
			d = args[0] - args[1]
		case n.Op == OpInv:
			d = -args[0]
		case n.Op == OpPow:
			p := n.Args[1]
			switch {
			case args[1] != 0:
				ok = false
			case p.Op == OpConst && p.Value == float64(int(p.Value)):
				d = args[0] * int(p.Value)
			default:
				ok = constant
			}
		default: // exp, log, det, logdet, …: homogeneous only when constant
			ok = constant
		}
		memo[n] = result{d, ok}
		return d, ok
	}
	return deg(f)
}
