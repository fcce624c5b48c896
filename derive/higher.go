package derive

import "github.com/gradgen/gradgen/spec"

// Tangent returns the differential of f when each input x in seeds moves
// by seeds[x], by forward accumulation of each operator's Tangent rule:
// Σₓ Df(x)[seeds[x]]. A nil result means f depends on none of them.
func (g *Graph) Tangent(f *Node, seeds map[*Node]*Node) *Node {
	if f == nil {
		return nil
	}
	d := map[*Node]*Node{}
	for x, dx := range seeds {
		d[x] = dx
	}
	for _, n := range postorder(f) {
		if _, seeded := seeds[n]; seeded || n.Op.Tangent == nil {
			continue
		}
		args := make([]*Node, len(n.Args))
		moved := false
		for i, a := range n.Args {
			args[i] = d[a]
			moved = moved || args[i] != nil
		}
		if moved {
			d[n] = n.Op.Tangent(g, n, args)
		}
	}
	return d[f]
}

// Depends reports whether n depends on x.
func Depends(n, x *Node) bool {
	for _, m := range postorder(n) {
		if m == x {
			return true
		}
	}
	return false
}

// directions adds one direction variable per wrt input to f, named
// prefix + the input's name (with underscores added until the name is
// free and not spec.Reserved), of the input's kind and shape, except that the direction of an
// spd input is symmetric: a tangent is never positive definite.
func (f *Function) directions(prefix string) []*Input {
	taken := map[string]bool{}
	for _, in := range f.Inputs {
		taken[in.Name] = true
	}
	for _, d := range f.Dims {
		taken[d.Name] = true
	}
	for _, name := range f.Names {
		taken[name] = true
	}
	for _, ds := range [][]*Input{f.JVPDirs, f.HessDirs} {
		for _, d := range ds {
			taken[d.Name] = true
		}
	}
	var out []*Input
	for _, w := range f.Wrt {
		name := prefix + w.Name
		for taken[name] || spec.Reserved(name) {
			name += "_"
		}
		taken[name] = true
		kind := w.Kind
		if kind == spec.SPD {
			kind = spec.Symmetric
		}
		out = append(out, &Input{Name: name, Kind: kind, Shape: w.Shape, Node: f.Graph.Var(name, w.Shape, w.Node.Sym), Pos: w.Pos})
	}
	return out
}

// IsScalarInput reports whether in is a scalar input (not a 1×1 vector or
// matrix).
func (in *Input) IsScalarInput() bool { return in.Kind == spec.Scalar }

// buildHigher fills the derivatives beyond the gradient that sf asks for:
// dᵏf/dtᵏ for a single scalar wrt, the JVP and Jacobian structure of a
// vector- or matrix-valued f, and Hessian-vector products of a scalar f.
func (f *Function) buildHigher(sf *spec.Function) error {
	g := f.Graph
	single := len(f.Wrt) == 1 && f.Wrt[0].IsScalarInput()
	if sf.OrderPos.Line > 0 && !single {
		return spec.Errorf(sf.OrderPos, "order needs exactly one scalar in wrt, to differentiate by; wrt has %s", describeWrt(f.Wrt))
	}
	if sf.Hessian && !f.Value.Shape.IsScalar() {
		return spec.Errorf(sf.HessianPos, "hessian needs a scalar expr; this expr is %s", f.Value.Shape)
	}
	if single {
		f.Derivs = g.Derivatives(f.Value, f.Wrt[0].Node, sf.Order)
	}
	if !f.Value.Shape.IsScalar() {
		for k, w := range f.Wrt {
			if w.Kind == spec.Symmetric || w.Kind == spec.SPD {
				return spec.Errorf(sf.Wrt[k].At, "a Jacobian with respect to the %s input %q is not supported: its entries are not independent variables; take it with respect to a matrix input", w.Kind, w.Name)
			}
		}
		f.JVPDirs = f.directions("d")
		seeds := map[*Node]*Node{}
		for k, w := range f.Wrt {
			seeds[w.Node] = f.JVPDirs[k].Node
		}
		f.JVP = g.Tangent(f.Value, seeds)
		for k, w := range f.Wrt {
			dir := f.JVPDirs[k].Node
			jac := &Jacobian{Wrt: w, Dir: dir, Differential: g.Tangent(f.Value, map[*Node]*Node{w.Node: dir})}
			if w.IsScalarInput() {
				jac.Derivative = g.Tangent(f.Value, map[*Node]*Node{w.Node: g.Const(1)})
				jac.Structured = true
			} else {
				jac.Terms, jac.Structured = g.LinearTerms(jac.Differential, dir)
			}
			f.Jacobians = append(f.Jacobians, jac)
		}
	}
	if sf.Hessian {
		f.HessDirs = f.directions("v")
		seeds := map[*Node]*Node{}
		for k, w := range f.Wrt {
			seeds[w.Node] = f.HessDirs[k].Node
		}
		for _, grad := range f.Grads {
			f.HessVec = append(f.HessVec, g.Tangent(grad, seeds))
		}
		f.DenseHessian = true
		for _, w := range f.Wrt {
			if w.Kind != spec.Scalar && w.Kind != spec.Vector {
				f.DenseHessian = false
			}
		}
		if f.DenseHessian {
			f.HessBlocks = f.hessianBlocks()
		}
	}
	return nil
}

// Warnings returns what the command prints as warnings for fn, each at its
// place in the spec: HessianWarning's, and one for each input the spec's
// wrt lists on which f does not depend (it appears nowhere in the
// expression, or cancels out of it), whose derivative is identically zero
// — more often a typo or a stale wrt than meant.
func (fn *Function) Warnings() []*spec.Error {
	var out []*spec.Error
	if fn.Spec.WrtGiven && len(fn.Spec.Wrt) == len(fn.Wrt) {
		reached := map[*Node]bool{}
		for _, n := range postorder(fn.Value) {
			reached[n] = true
		}
		for k, w := range fn.Wrt {
			if !reached[w.Node] {
				out = append(out, spec.Errorf(fn.Spec.Wrt[k].At, "%s does not depend on %s, which wrt lists: its derivative with respect to %s is zero", fn.Spec.Name, w.Name, w.Name))
			}
		}
	}
	if w := fn.HessianWarning(); w != nil {
		out = append(out, w)
	}
	return out
}

// HessianWarning returns, when fn's spec asks for the Hessian and a wrt
// input is neither a scalar nor a vector, why FHessian (and so FProblem's
// Hess, which gonum's Newton method needs) is not generated, at that wrt
// entry; otherwise nil. FHessVec is generated either way. The command
// prints it as a warning so that the omission is never silent.
func (fn *Function) HessianWarning() *spec.Error {
	k := fn.noDenseHessian()
	if k < 0 {
		return nil
	}
	w, name := fn.Wrt[k], fn.Spec.Name
	return spec.Errorf(fn.Spec.Wrt[k].At, "hessian: true with the %s input %s in wrt gives %sHessVec only: %sHessian and the Hess of %sProblem need every wrt a scalar or a vector; to have them, make %s a vector input (its entries vectorised)",
		w.Kind, w.Name, name, name, name, w.Name)
}

// noDenseHessian returns, when fn's spec asks for the Hessian but FHessian
// is not generated, the index of the first wrt input that is neither a
// scalar nor a vector; otherwise -1.
func (fn *Function) noDenseHessian() int {
	if !fn.Spec.Hessian || fn.DenseHessian {
		return -1
	}
	for k, w := range fn.Wrt {
		if w.Kind != spec.Scalar && w.Kind != spec.Vector {
			return k
		}
	}
	return -1
}

// describeWrt names the wrt inputs and their kinds for an error message.
func describeWrt(wrt []*Input) string {
	if len(wrt) == 0 {
		return "nothing"
	}
	s := ""
	for k, w := range wrt {
		if k > 0 {
			s += ", "
		}
		s += w.Name + " (" + w.Kind.String() + ")"
	}
	return s
}
