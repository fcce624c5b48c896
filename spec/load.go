package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxSpecBytes bounds the size of a spec file.
const maxSpecBytes = 1 << 20

// The keys of the top-level mapping and of a function, in the order the
// documentation lists them.
var (
	fileKeys     = []string{"package", "functions"}
	functionKeys = []string{"name", "doc", "inputs", "let", "expr", "wrt", "order", "hessian"}
)

// Load parses and checks the spec file data, read from filename:
//
//	package: loss              # optional; a Go package name
//	functions:                 # required, not empty
//	  - name: Bilinear         # required; a Go identifier
//	    doc: The bilinear form a'Xb.
//	    inputs:                # required, ordered: the Go parameter order
//	      a: vector(m)         # scalar, vector(n), matrix(r, c), symmetric(n), spd(n)
//	      X: matrix(m, n)      # a dimension is a name or a positive integer
//	      b: vector(n)
//	    let:                   # optional, ordered: name -> expression
//	      Xb: X * b
//	    expr: a' * Xb          # required
//	    wrt: [X]               # optional; default: every input
//
// Load checks the YAML structure, every name, type and expression syntax,
// and that let names, input names and dimension names do not collide; it
// does not resolve the names inside expressions (package derive does).
//
// Every error is an *Error positioned at the offending YAML node, with the
// file's line in Source. Positions inside a scalar (an expression or a type)
// are exact for plain and block scalars, also across lines, and for quoted
// scalars up to the first escape sequence; after a \ escape of a
// double-quoted scalar they are approximate. Name positions (NamePos,
// Input.Pos, Let.Pos, Wrt) are those of the name's first byte, after any
// quote. A name reached through a YAML alias is positioned at its anchored
// node.
//
// Hostile input is refused fast: files over 1 MiB, expressions over 64 KiB
// or nested more than 200 levels, alias cycles, and aliases that expand
// the tree by more than 10000 nodes or 1 MiB of text. YAML merge keys (<<)
// are not supported.
func Load(filename string, data []byte) (*File, error) {
	l := &loader{src: newSource(filename, data)}
	f, err := l.load()
	if err != nil {
		return nil, err
	}
	return f, nil
}

// A loader builds a File from the YAML of one spec file.
type loader struct {
	src *source
}

// errorf returns an *Error at pos whose Source is the file's line at pos.
func (l *loader) errorf(pos Pos, format string, args ...any) *Error {
	err := Errorf(pos, format, args...)
	err.Source = l.src.line(pos.Line)
	return err
}

// errorAt returns an *Error at the YAML node n.
func (l *loader) errorAt(n *yaml.Node, format string, args ...any) *Error {
	return l.errorf(l.src.nodePos(n), format, args...)
}

// withSource fills in the Source of an error from parsing a scalar's text.
func (l *loader) withSource(err *Error) *Error {
	err.Source = l.src.line(err.Pos.Line)
	return err
}

// namePos returns the position of the first byte of the scalar n's text.
func (l *loader) namePos(n *yaml.Node) Pos { return l.src.pos(l.src.contentOffset(n)) }

func (l *loader) load() (*File, *Error) {
	if len(l.src.data) > maxSpecBytes {
		return nil, l.errorf(Pos{File: l.src.name, Line: 1, Col: 1}, "spec file is larger than 1 MiB")
	}
	if err := l.checkCharacters(); err != nil {
		return nil, err
	}
	root, err := l.parseYAML()
	if err != nil {
		return nil, err
	}
	if err := l.checkAliases(root); err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, l.errorAt(root, "the spec file must be a mapping with keys package and functions, found %s", describeNode(root))
	}
	fields, err := l.fields(root, fileKeys, "functions")
	if err != nil {
		return nil, err
	}
	f := &File{Name: l.src.name}
	if pkg, ok := fields["package"]; ok {
		if f.Package, f.PackagePos, err = l.name(pkg.value, "package name", checkPackageName); err != nil {
			return nil, err
		}
	}
	if f.Functions, err = l.functions(fields["functions"].value); err != nil {
		return nil, err
	}
	return f, nil
}

// checkCharacters refuses data that is not UTF-8 or that holds a character
// YAML does not allow, pointing at the first offender.
func (l *loader) checkCharacters() *Error {
	data := l.src.data
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && size == 1:
			return l.errorf(l.src.pos(off), "spec file is not valid UTF-8")
		case !yamlAllows(r):
			return l.errorf(l.src.pos(off), "character %#U is not allowed in YAML", r)
		}
		off += size
	}
	return nil
}

// yamlAllows reports whether YAML allows the character r in a stream.
func yamlAllows(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case 0x20 <= r && r <= 0x7E, 0xA0 <= r && r <= 0xD7FF, 0xE000 <= r && r <= 0xFFFD:
		return true
	}
	return 0x10000 <= r && r <= 0x10FFFF
}

// parseYAML parses data, which must hold one YAML document, into a node
// tree, and returns the document's content.
func (l *loader) parseYAML() (*yaml.Node, *Error) {
	decoder := yaml.NewDecoder(bytes.NewReader(l.src.data))
	var doc yaml.Node
	switch err := decoder.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, l.errorf(Pos{File: l.src.name, Line: 1, Col: 1}, "spec file is empty")
	case err != nil:
		return nil, l.yamlError(err)
	}
	var extra yaml.Node
	switch err := decoder.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return doc.Content[0], nil
	case err != nil:
		return nil, l.yamlError(err)
	}
	return nil, l.errorAt(&extra, "spec file holds more than one YAML document")
}

var (
	yamlLineError     = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)
	yamlUnknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlParserProblems are the messages of the YAML library's parser, as
// opposed to its scanner. The library numbers the lines of parser errors
// from 0 and those of scanner errors from 1, and omits line 0.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlError converts an error of the YAML library, which gives at most a
// line ("yaml: line 3: could not find expected ':'"), to an *Error. An
// unknown anchor is placed at its first alias. A syntax error is placed
// where its cause is and names it when the source shows one of the usual
// causes (source.syntaxCause: a tab in the indentation, an inconsistent
// indentation, an unclosed flow collection or quote); otherwise it is the
// library's message at column 1 of its line.
func (l *loader) yamlError(err error) *Error {
	msg := err.Error()
	pos := Pos{File: l.src.name, Line: 1, Col: 1}
	if !yamlUnknownAnchor.MatchString(msg) {
		if causePos, cause, ok := l.src.syntaxCause(); ok {
			return l.errorf(causePos, "invalid YAML: %s", cause)
		}
	}
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg = m[2]
		if slices.Contains(yamlParserProblems, msg) {
			line++
		}
		pos.Line = min(max(line, 1), len(l.src.lineStarts))
		if msg == "mapping values are not allowed in this context" {
			if colonPos, key, ok := l.src.colonInPlainValue(pos.Line); ok {
				return l.errorf(colonPos, "invalid YAML: the value of %s holds a colon and a space, which YAML reads as a second key; quote the value (%s: \"…\")", key, key)
			}
		}
	} else if m := yamlUnknownAnchor.FindStringSubmatch(msg); m != nil {
		if off := bytes.Index(l.src.data, []byte("*"+m[1])); off >= 0 {
			pos = l.src.pos(off)
		}
	}
	return l.errorf(pos, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// resolveAlias returns the node that n stands for: n, or the node an alias
// refers to.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// describeNode names the kind of a node for an error message.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.ShortTag() == "!!null" {
		return "nothing"
	}
	return quote(n.Value)
}

// scalarText returns the text of a scalar node; a YAML null (an empty
// value, ~ or null) is "".
func scalarText(n *yaml.Node) string {
	if n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

// An entry is one key: value pair of a YAML mapping.
type entry struct {
	key   *yaml.Node // a scalar
	name  string     // the key's text
	value *yaml.Node // aliases resolved
}

// entries returns the entries of the mapping n in order. Keys must be
// scalars and must not repeat; noun names a key in messages ("input").
func (l *loader) entries(n *yaml.Node, noun string) ([]entry, *Error) {
	var entries []entry
	first := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := resolveAlias(n.Content[i])
		if key.Kind != yaml.ScalarNode {
			return nil, l.errorAt(key, "%s must be a name, found %s", noun, describeNode(key))
		}
		if key.ShortTag() == "!!merge" {
			return nil, l.errorAt(key, "YAML merge keys (<<) are not supported")
		}
		e := entry{key: key, name: scalarText(key), value: resolveAlias(n.Content[i+1])}
		pos := l.namePos(key)
		if at, dup := first[e.name]; dup {
			return nil, l.errorf(pos, "duplicate %s %s (first at %d:%d)", noun, quote(e.name), at.Line, at.Col)
		}
		first[e.name] = pos
		entries = append(entries, e)
	}
	return entries, nil
}

// fields returns the entries of the mapping n by key, after checking that
// every key is among known and that every required key is present.
func (l *loader) fields(n *yaml.Node, known []string, required ...string) (map[string]entry, *Error) {
	entries, err := l.entries(n, "key")
	if err != nil {
		return nil, err
	}
	fields := map[string]entry{}
	for _, e := range entries {
		if !slices.Contains(known, e.name) {
			hint := fmt.Sprintf("keys are %s", strings.Join(known, ", "))
			if guess := Suggest(e.name, known); guess != "" {
				hint = fmt.Sprintf("did you mean %q?", guess)
			}
			return nil, l.errorf(l.namePos(e.key), "unknown key %s (%s)", quote(e.name), hint)
		}
		fields[e.name] = e
	}
	for _, key := range required {
		if _, ok := fields[key]; !ok {
			return nil, l.errorAt(n, "missing key %q", key)
		}
	}
	return fields, nil
}

// name returns the text and position of the scalar n after checking it
// with check (checkName or checkSpecName); what names its role, as in
// "input name".
func (l *loader) name(n *yaml.Node, what string, check func(what, name string) string) (string, Pos, *Error) {
	if n.Kind != yaml.ScalarNode {
		return "", Pos{}, l.errorAt(n, "%s must be a string, found %s", what, describeNode(n))
	}
	name, pos := scalarText(n), l.namePos(n)
	if msg := check(what, name); msg != "" {
		return "", Pos{}, l.errorf(pos, "%s", msg)
	}
	return name, pos, nil
}

// functions loads the functions list. Function names must not repeat.
func (l *loader) functions(n *yaml.Node) ([]*Function, *Error) {
	if n.Kind != yaml.SequenceNode {
		return nil, l.errorAt(n, "functions must be a list, found %s", describeNode(n))
	}
	if len(n.Content) == 0 {
		return nil, l.errorAt(n, "functions must not be empty")
	}
	var functions []*Function
	first := map[string]Pos{}
	for _, item := range n.Content {
		fn, err := l.function(resolveAlias(item))
		if err != nil {
			return nil, err
		}
		if at, dup := first[fn.Name]; dup {
			return nil, l.errorf(fn.NamePos, "duplicate function name %s (first at %d:%d)", quote(fn.Name), at.Line, at.Col)
		}
		first[fn.Name] = fn.NamePos
		functions = append(functions, fn)
	}
	return functions, nil
}

// function loads one entry of the functions list.
func (l *loader) function(n *yaml.Node) (*Function, *Error) {
	if n.Kind != yaml.MappingNode {
		return nil, l.errorAt(n, "a function must be a mapping with keys name, inputs and expr, found %s", describeNode(n))
	}
	fields, err := l.fields(n, functionKeys, "name", "inputs", "expr")
	if err != nil {
		return nil, err
	}
	fn := &Function{}
	if fn.Name, fn.NamePos, err = l.name(fields["name"].value, "function name", checkSpecName); err != nil {
		return nil, err
	}
	if doc, ok := fields["doc"]; ok {
		if doc.value.Kind != yaml.ScalarNode {
			return nil, l.errorAt(doc.value, "doc must be a string, found %s", describeNode(doc.value))
		}
		if err := l.checkText(doc.value, "doc"); err != nil {
			return nil, err
		}
		fn.Doc = strings.TrimSpace(scalarText(doc.value))
	}
	if fn.Inputs, err = l.inputs(fields["inputs"].value); err != nil {
		return nil, err
	}
	names := newFunctionNames(fn.Inputs)
	if let, ok := fields["let"]; ok {
		if fn.Lets, err = l.lets(let.value, names); err != nil {
			return nil, err
		}
	}
	if err := l.checkDimNames(fn.Inputs, names); err != nil {
		return nil, err
	}
	if fn.Expr, err = l.expr(fields["expr"].value, "expr"); err != nil {
		return nil, err
	}
	fn.Order = 1
	if order, ok := fields["order"]; ok {
		fn.OrderPos = l.src.nodePos(order.key)
		k, convErr := strconv.Atoi(scalarText(order.value))
		if order.value.Kind != yaml.ScalarNode || convErr != nil || k < 1 || k > MaxOrder {
			return nil, l.errorAt(order.value, "order must be a whole number from 1 to %d, found %s", MaxOrder, describeNode(order.value))
		}
		fn.Order = k
	}
	if hessian, ok := fields["hessian"]; ok {
		fn.HessianPos = l.src.nodePos(hessian.key)
		if hessian.value.Kind != yaml.ScalarNode || hessian.value.ShortTag() != "!!bool" {
			return nil, l.errorAt(hessian.value, "hessian must be true or false, found %s", describeNode(hessian.value))
		}
		fn.Hessian = scalarText(hessian.value) == "true"
	}
	if wrt, ok := fields["wrt"]; ok {
		fn.WrtGiven = true
		if fn.Wrt, err = l.wrt(wrt.value, fn.Inputs, names); err != nil {
			return nil, err
		}
		return fn, nil
	}
	for _, in := range fn.Inputs {
		fn.Wrt = append(fn.Wrt, &Ident{At: in.Pos, Name: in.Name})
	}
	return fn, nil
}

// checkText refuses, in the text of the scalar n, a character that Go
// source cannot hold (NUL, a byte order mark, invalid UTF-8) or that would
// break, hide or reorder the lines of the comment generated code carries
// the text in: any control character but tab and newline, any format
// character (bidirectional overrides, zero-width characters) and the
// Unicode line and paragraph separators. what names the text in messages.
func (l *loader) checkText(n *yaml.Node, what string) *Error {
	text := scalarText(n)
	pos := l.src.scalarPositions(n)
	for off := 0; off < len(text); {
		r, size := utf8.DecodeRuneInString(text[off:])
		switch {
		case r == utf8.RuneError && size == 1:
			return l.errorf(pos(off), "%s is not valid UTF-8", what)
		case r == 0 || r == '\uFEFF':
			return l.errorf(pos(off), "%s holds %#U, which Go source cannot hold", what, r)
		case r != '\t' && r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'):
			return l.errorf(pos(off), "%s holds %#U, a control, format or line-separating character, which generated comments do not carry", what, r)
		}
		off += size
	}
	return nil
}

// inputs loads a function's inputs mapping, in order.
func (l *loader) inputs(n *yaml.Node) ([]*Input, *Error) {
	if n.Kind != yaml.MappingNode {
		return nil, l.errorAt(n, "inputs must be a mapping")
	}
	if err := l.typeCutAtComma(n); err != nil {
		return nil, err
	}
	entries, err := l.entries(n, "input")
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, l.errorAt(n, "inputs must not be empty")
	}
	var inputs []*Input
	for _, e := range entries {
		name, pos, err := l.name(e.key, "input name", checkSpecName)
		if err != nil {
			return nil, err
		}
		if e.value.Kind != yaml.ScalarNode {
			return nil, l.errorAt(e.value, "the type of input %s must be a string such as matrix(m, n), found %s", quote(name), describeNode(e.value))
		}
		text := scalarText(e.value)
		if strings.TrimSpace(text) == "" {
			return nil, l.errorAt(e.value, "input %s has no type", quote(name))
		}
		typ, typeErr := parseType(text, l.src.scalarPositions(e.value))
		if typeErr != nil {
			return nil, l.withSource(typeErr)
		}
		inputs = append(inputs, &Input{Name: name, Pos: pos, Type: typ})
	}
	return inputs, nil
}

// typeCutAtComma reports an input type that a YAML flow mapping cut at the
// comma between its dimensions: in {A: matrix(m, n)} the comma ends the
// entry, leaving A the type "matrix(m" and " n)" a key of its own with no
// value, which would otherwise be reported as a duplicate input "n)" or an
// unclosed parenthesis, far from the cause. Only that shape is reported:
// a known type left open, then a key that closes it.
func (l *loader) typeCutAtComma(n *yaml.Node) *Error {
	if n.Style&yaml.FlowStyle == 0 {
		return nil
	}
	for i := 0; i+3 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		rest, restValue := n.Content[i+2], n.Content[i+3]
		text, tail := scalarText(value), strings.TrimSpace(scalarText(rest))
		kind, _, open := strings.Cut(text, "(")
		if _, known := typeKinds[strings.TrimSpace(kind)]; !known || value.Kind != yaml.ScalarNode || value.Style != 0 || !open || strings.Contains(text, ")") {
			continue
		}
		if rest.Kind != yaml.ScalarNode || !strings.HasSuffix(tail, ")") || strings.Contains(tail, "(") || restValue.ShortTag() != "!!null" {
			continue // not cut at a comma: parseType reports it
		}
		return l.errorAt(value, "the type of input %s is cut at a comma: in a {…} mapping a comma ends the entry; quote the type: %s: %q",
			quote(scalarText(key)), scalarText(key), text+", "+tail)
	}
	return nil
}

// functionNames indexes the inputs and lets of a function by name.
type functionNames struct {
	inputs map[string]*Input
	lets   map[string]*Let
}

func newFunctionNames(inputs []*Input) *functionNames {
	names := &functionNames{inputs: map[string]*Input{}, lets: map[string]*Let{}}
	for _, in := range inputs {
		names.inputs[in.Name] = in
	}
	return names
}

// lets loads a function's let mapping, in order, and adds the lets to names.
// A let must not take the name of an input.
func (l *loader) lets(n *yaml.Node, names *functionNames) ([]*Let, *Error) {
	if n.Kind != yaml.MappingNode {
		return nil, l.errorAt(n, "let must be a mapping")
	}
	entries, err := l.entries(n, "let")
	if err != nil {
		return nil, err
	}
	var lets []*Let
	for _, e := range entries {
		name, pos, err := l.name(e.key, "let name", checkName)
		if err != nil {
			return nil, err
		}
		if in, ok := names.inputs[name]; ok {
			return nil, l.errorf(pos, "let %s is also the name of the input at %d:%d", quote(name), in.Pos.Line, in.Pos.Col)
		}
		x, err := l.expr(e.value, "let "+quote(name))
		if err != nil {
			return nil, err
		}
		let := &Let{Name: name, Pos: pos, Expr: x}
		names.lets[name] = let
		lets = append(lets, let)
	}
	return lets, nil
}

// checkDimNames refuses a dimension named like an input or a let.
func (l *loader) checkDimNames(inputs []*Input, names *functionNames) *Error {
	for _, in := range inputs {
		for _, dim := range in.Type.Dims {
			if other, ok := names.inputs[dim.Name]; ok {
				return l.errorf(dim.Pos, "dimension %s is also the name of the input at %d:%d", quote(dim.Name), other.Pos.Line, other.Pos.Col)
			}
			if let, ok := names.lets[dim.Name]; ok {
				return l.errorf(dim.Pos, "dimension %s is also the name of the let at %d:%d", quote(dim.Name), let.Pos.Line, let.Pos.Col)
			}
		}
	}
	return nil
}

// expr parses the expression in the scalar n; what names it in messages,
// as in "expr" or `let "z"`.
func (l *loader) expr(n *yaml.Node, what string) (Expr, *Error) {
	if n.Kind != yaml.ScalarNode {
		return nil, l.errorAt(n, "%s must be an expression string, found %s", what, describeNode(n))
	}
	text := scalarText(n)
	if strings.TrimSpace(text) == "" {
		return nil, l.errorAt(n, "%s is empty", what)
	}
	x, err := parseExpr(text, l.src.scalarPositions(n))
	if err != nil {
		return nil, l.withSource(err)
	}
	return x, nil
}

// wrt loads a function's wrt list: input names, each at most once.
func (l *loader) wrt(n *yaml.Node, inputs []*Input, names *functionNames) ([]*Ident, *Error) {
	if n.Kind != yaml.SequenceNode {
		return nil, l.errorAt(n, "wrt must be a list of input names")
	}
	if len(n.Content) == 0 {
		return nil, l.errorAt(n, "wrt must not be empty")
	}
	var wrt []*Ident
	first := map[string]Pos{}
	for _, item := range n.Content {
		item = resolveAlias(item)
		if item.Kind != yaml.ScalarNode {
			return nil, l.errorAt(item, "wrt must be a list of input names")
		}
		name, pos := scalarText(item), l.namePos(item)
		if _, ok := names.inputs[name]; !ok {
			return nil, l.errorf(pos, "wrt: %s", notAnInput(name, inputs, names))
		}
		if at, dup := first[name]; dup {
			return nil, l.errorf(pos, "wrt: duplicate input %s (first at %d:%d)", quote(name), at.Line, at.Col)
		}
		first[name] = pos
		wrt = append(wrt, &Ident{At: pos, Name: name})
	}
	return wrt, nil
}

// notAnInput explains why name, in a wrt list, is not one of inputs.
func notAnInput(name string, inputs []*Input, names *functionNames) string {
	if _, ok := names.lets[name]; ok {
		return quote(name) + " is a let, not an input"
	}
	var candidates []string
	for _, in := range inputs {
		candidates = append(candidates, in.Name)
	}
	if guess := Suggest(name, candidates); guess != "" {
		return fmt.Sprintf("unknown input %s (did you mean %s?)", quote(name), quote(guess))
	}
	return "unknown input " + quote(name)
}
