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
		switch {
		case !ok:
		case n.Op == OpVar:
			if in[n] {
				d = 1
			}
		case n.Op.Degree != nil:
			d, ok = n.Op.Degree(n, args)
		default: // exp, log, det, logdet, …: homogeneous only when constant
			for _, a := range args {
				ok = ok && a == 0
			}
		}
		memo[n] = result{d, ok}
		return d, ok
	}
	return deg(f)
}
