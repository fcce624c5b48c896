package derive

import "strconv"

// sharedThreshold is the smallest printed subexpression, in nodes, that a
// Listing names when a printout would repeat it. Smaller ones (sin(x),
// x .* y) read better spelled out.
const sharedThreshold = 12

// A Listing prints the formulas of one function so that, together, they
// stay proportional to the expression DAG rather than to its expansion as
// a tree, which can be exponential (a let chain l = sin(l) .* l doubles its
// gradient's tree at every let). A subexpression of at least
// sharedThreshold nodes that a formula would print more than once is
// printed once, as a definition "t1 = …", and by its name everywhere
// after. Names are t1, t2, … in the order they are given, skipping taken
// names, so a listing is deterministic.
type Listing struct {
	style Style
	names map[*Node]string // lets, and the subexpressions named so far
	taken map[string]bool
	next  int
	defs  []Definition
}

// A Definition is one shared subexpression of a Listing: Name = Text,
// both printed in the listing's style.
type Definition struct{ Name, Text string }

// NewListing returns a Listing in style whose formulas print the nodes in
// names (lets) by those names, and whose own names avoid taken ones and
// those in names.
func NewListing(style Style, names map[*Node]string, taken ...string) *Listing {
	l := &Listing{style: style, names: make(map[*Node]string, len(names)), taken: map[string]bool{}}
	for n, name := range names {
		l.names[n] = name
		l.taken[name] = true
	}
	for _, name := range taken {
		l.taken[name] = true
	}
	return l
}

// NewFunctionListing returns a Listing of fn's formulas in style: lets by
// their names, and shared names that avoid every name fn declares.
func NewFunctionListing(fn *Function, style Style) *Listing {
	var taken []string
	for _, ins := range [][]*Input{fn.Inputs, fn.JVPDirs, fn.HessDirs} {
		for _, in := range ins {
			taken = append(taken, in.Name)
		}
	}
	for _, d := range fn.Dims {
		taken = append(taken, d.Name)
	}
	return NewListing(style, fn.Names, taken...)
}

// Format prints n, first naming the large subexpressions its tree would
// repeat (see Listing). A nil node prints as 0.
func (l *Listing) Format(n *Node) string {
	l.share(n)
	return l.print(n, nil)
}

// Spell prints n itself, even when n has a name (a let's definition), and
// names what it would repeat.
func (l *Listing) Spell(n *Node) string {
	l.share(n)
	return l.print(n, n)
}

// SpellSum prints the sum of terms, a sum with no node of its own, naming
// what each term would repeat.
func (l *Listing) SpellSum(terms []*Node) string {
	for _, t := range terms {
		l.share(t)
	}
	return FormatSum(terms, l.style, l.names)
}

// Definitions returns the definitions made since the last call, each
// after the ones it uses, and forgets them; their names stay in use.
func (l *Listing) Definitions() []Definition {
	d := l.defs
	l.defs = nil
	return d
}

// print prints n with every name but except's.
func (l *Listing) print(n, except *Node) string {
	names := l.names
	if name, ok := names[except]; ok {
		delete(names, except)
		defer func() { names[except] = name }()
	}
	return Format(n, l.style, names)
}

// share names the subexpressions of n that occur more than once in its
// tree and have at least sharedThreshold nodes, largest first, so that a
// subexpression inside a named one is named only if the named one's own
// definition repeats it.
func (l *Listing) share(root *Node) {
	if root != nil {
		l.shareRoots([]*Node{root})
	}
}

// ShareAcross names, before any of roots is printed, the subexpressions
// their trees together would print more than once, as share does for one
// tree: formulas printed one after another (a doc comment's gradient,
// Hessian blocks, lets) then share a name for what they have in common,
// not only for what each repeats. The roots themselves stay spelled out
// where they are printed; nil roots are skipped.
func (l *Listing) ShareAcross(roots ...*Node) {
	var nonNil []*Node
	for _, r := range roots {
		if r != nil {
			nonNil = append(nonNil, r)
		}
	}
	l.shareRoots(nonNil)
}

// shareRoots is share over the trees of roots taken together: the nodes
// not hidden behind a name (a root, a let's definition, is walked even
// when named), each counted once.
func (l *Listing) shareRoots(roots []*Node) {
	isRoot := map[*Node]bool{}
	for _, r := range roots {
		isRoot[r] = true
	}
	hidden := func(n *Node) bool { _, named := l.names[n]; return named } // a root is still walked
	var order []*Node
	seen := map[*Node]bool{}
	for _, r := range roots {
		for _, n := range postorderUntil(r, hidden) {
			if !seen[n] {
				seen[n] = true
				order = append(order, n)
			}
		}
	}
	size := make(map[*Node]int, len(order))
	for _, n := range order {
		s := 1
		for _, a := range n.Args {
			if _, named := l.names[a]; !named {
				s += size[a]
			} else {
				s++
			}
			s = min(s, 1<<30)
		}
		size[n] = s
	}
	// Parents before children: occurs counts the copies of each node in
	// the printed trees, saturating at 2; a named node's definition is
	// one, and so is each root.
	occurs := map[*Node]int{}
	for _, r := range roots {
		occurs[r] = min(occurs[r]+1, 2)
	}
	var fresh []*Node
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		copies := occurs[n]
		if !isRoot[n] && copies >= 2 && size[n] >= sharedThreshold && n.Op != OpVar && n.Op != OpConst {
			fresh = append(fresh, n)
			copies = 1
		}
		for _, a := range n.Args {
			if _, named := l.names[a]; !named {
				occurs[a] = min(occurs[a]+copies, 2)
			}
		}
	}
	for i := len(fresh) - 1; i >= 0; i-- { // innermost first
		l.names[fresh[i]] = l.newName()
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		n := fresh[i]
		name := (&printer{style: l.style}).ident(l.names[n])
		l.defs = append(l.defs, Definition{Name: name, Text: l.print(n, n)})
	}
}

// newName returns the next free name t1, t2, ….
func (l *Listing) newName() string {
	for {
		l.next++
		name := "t" + strconv.Itoa(l.next)
		if !l.taken[name] {
			l.taken[name] = true
			return name
		}
	}
}

// Bind prints n as name in every later formula (a differential dX).
func (l *Listing) Bind(n *Node, name string) {
	l.names[n] = name
	l.taken[name] = true
}

// Exceeds reports whether n's printed tree would have more than limit
// nodes, names (other than n's own) counting as one. It stops counting
// past limit, so it costs O(limit) however large the DAG below n.
func Exceeds(n *Node, names map[*Node]string, limit int) bool {
	count := 0
	var visit func(m *Node) bool // false once the count passes limit
	visit = func(m *Node) bool {
		count++
		if count > limit {
			return false
		}
		if _, named := names[m]; named && m != n {
			return true
		}
		for _, a := range m.Args {
			if !visit(a) {
				return false
			}
		}
		return true
	}
	return n != nil && !visit(n)
}
