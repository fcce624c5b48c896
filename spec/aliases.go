package spec

import "go.yaml.in/yaml/v3"

// Limits on what YAML aliases add to the tree when expanded, so that an
// alias bomb ("billion laughs") is refused before it is walked, and so that
// no alias multiplies the work of parsing a long scalar.
const (
	maxAliasNodes = 10000
	maxAliasBytes = 1 << 20 // bytes of scalar text
)

// checkAliases refuses an alias inside the node it refers to, and aliases
// that, expanded, would add more than maxAliasNodes nodes or maxAliasBytes
// bytes of scalar text to the tree. It walks each node of the unexpanded
// tree once, and sizes each alias target once.
func (l *loader) checkAliases(root *yaml.Node) *Error {
	c := &aliasCheck{loader: l, sizes: map[*yaml.Node]treeSize{}, sizing: map[*yaml.Node]bool{}}
	return c.walk(root)
}

// A treeSize is the size of a node tree with its aliases expanded, each
// count capped just above its limit.
type treeSize struct {
	nodes int
	bytes int // of scalar values
}

// add returns the sum of s and t, capped just above the limits.
func (s treeSize) add(t treeSize) treeSize {
	return treeSize{min(s.nodes+t.nodes, maxAliasNodes+1), min(s.bytes+t.bytes, maxAliasBytes+1)}
}

// An aliasCheck sizes what the aliases of a YAML tree add to it.
type aliasCheck struct {
	loader *loader
	sizes  map[*yaml.Node]treeSize // the nodes sized so far
	sizing map[*yaml.Node]bool     // the nodes being sized
	added  treeSize                // by the aliases walked so far
}

// walk adds the expanded size of each alias under n to c.added.
func (c *aliasCheck) walk(n *yaml.Node) *Error {
	if n.Kind == yaml.AliasNode {
		size, err := c.size(n)
		if err != nil {
			return err
		}
		c.added = c.added.add(size)
		switch {
		case c.added.nodes > maxAliasNodes:
			return c.loader.errorAt(n, "YAML aliases expand beyond %d nodes", maxAliasNodes)
		case c.added.bytes > maxAliasBytes:
			return c.loader.errorAt(n, "YAML aliases expand beyond 1 MiB of text")
		}
		return nil
	}
	for _, child := range n.Content {
		if err := c.walk(child); err != nil {
			return err
		}
	}
	return nil
}

// size returns the size of n with its aliases expanded.
func (c *aliasCheck) size(n *yaml.Node) (treeSize, *Error) {
	if n.Kind == yaml.AliasNode {
		if c.sizing[n.Alias] {
			return treeSize{}, c.loader.errorAt(n, "YAML alias *%s is inside the node it refers to", shorten(n.Value))
		}
		return c.size(n.Alias)
	}
	if size, ok := c.sizes[n]; ok {
		return size, nil
	}
	c.sizing[n] = true
	size := treeSize{nodes: 1}.add(treeSize{bytes: len(n.Value)})
	for _, child := range n.Content {
		childSize, err := c.size(child)
		if err != nil {
			return treeSize{}, err
		}
		size = size.add(childSize)
	}
	delete(c.sizing, n)
	c.sizes[n] = size
	return size, nil
}
