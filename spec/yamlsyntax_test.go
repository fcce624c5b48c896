package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestYAMLSyntaxErrors checks that a YAML syntax error is placed at its
// cause and names it, where the YAML library's own message is on another
// line ("did not find expected key" on the line a block began) or names
// no cause ("found character that cannot start any token").
func TestYAMLSyntaxErrors(t *testing.T) {
	const head = "functions:\n  - name: F\n"
	tests := []struct {
		name, src, want string
	}{
		{"tab indenting a key", head + "    inputs:\n\tx: vector(n)\n    expr: sum(x)\n",
			"s.yaml:4:1: invalid YAML: a tab in the indentation: YAML indents with spaces only"},
		{"tab after spaces", head + "    inputs:\n      x: vector(n)\n  \t  y: vector(n)\n    expr: sum(x)\n",
			"s.yaml:5:3: invalid YAML: a tab in the indentation: YAML indents with spaces only"},
		{"key indented less than its siblings", head + "    inputs:\n      x: vector(n)\n   expr: sum(x)\n",
			"s.yaml:5:4: invalid YAML: inconsistent indentation: this line is indented 3 spaces, which matches no enclosing block (indented 0, 2, 4 or 6 spaces)"},
		{"key between two levels", head + "    inputs:\n      x: vector(n)\n     expr: sum(x)\n",
			"s.yaml:5:6: invalid YAML: inconsistent indentation: this line is indented 5 spaces, which matches no enclosing block (indented 0, 2, 4 or 6 spaces)"},
		{"key indented more than its siblings", head + "    inputs:\n      x: vector(n)\n        y: vector(n)\n    expr: sum(x)\n",
			"s.yaml:5:9: invalid YAML: inconsistent indentation: this line is indented 8 spaces, more than line 4, which already has its value (only a line ending in : or - opens a deeper block)"},
		{"unclosed flow mapping", head + "    inputs: {x: vector(n)\n    expr: sum(x)\n",
			"s.yaml:3:13: invalid YAML: unclosed flow mapping: the { here has no matching }"},
		{"unclosed flow sequence at the end", head + "    inputs: {x: vector(n)}\n    expr: sum(x)\n    wrt: [x\n",
			"s.yaml:5:10: invalid YAML: unclosed flow sequence: the [ here has no matching ]"},
		{"flow collection closed by the wrong bracket", head + "    inputs: {x: vector(n)]\n    expr: sum(x)\n",
			"s.yaml:3:26: invalid YAML: ] does not close the { at 3:13 (} does)"},
		{"unclosed double quote", head + "    inputs:\n      x: vector(n)\n    expr: \"sum(x)\n",
			"s.yaml:5:11: invalid YAML: unclosed quote: the \" here has no closing \""},
		{"unclosed single quote before more keys", head + "    inputs:\n      x: 'vector(n)\n    expr: sum(x)\n",
			"s.yaml:4:10: invalid YAML: unclosed quote: the ' here has no closing '"},
		{"transposes are not quotes", head + "    inputs: {x: vector(n)}\n    expr: x' * x\n   wrt: [x]\n",
			"s.yaml:5:4: invalid YAML: inconsistent indentation: this line is indented 3 spaces, which matches no enclosing block (indented 0, 2 or 4 spaces)"},
		{"a block scalar's lines are text", head + "    doc: |\n      text: [\n      \ttabbed \"\n    inputs: {x: vector(n)}\n    expr: x' * x\n     wrt: [x]\n",
			"s.yaml:8:6: invalid YAML: inconsistent indentation: this line is indented 5 spaces, more than line 7, which already has its value (only a line ending in : or - opens a deeper block)"},
		{"plain scalars continue on deeper lines", head + "    inputs: {x: vector(n)}\n    expr: x' *\n      x\n   wrt: [x]\n",
			"s.yaml:6:4: invalid YAML: inconsistent indentation: this line is indented 3 spaces, which matches no enclosing block (indented 0, 2 or 4 spaces)"},
		{"comments are skipped", head + "    inputs: {x: vector(n)} # {[\"'\n\t# a tab before a comment\n    expr: x' * x\n   wrt: [x]\n",
			"s.yaml:6:4: invalid YAML: inconsistent indentation: this line is indented 3 spaces, which matches no enclosing block (indented 0, 2 or 4 spaces)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("s.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestYAMLSyntaxNoFalseCause checks that the scan finds no cause in any
// spec of the repository that the YAML library reads without error: it
// must never blame a construct that is valid.
func TestYAMLSyntaxNoFalseCause(t *testing.T) {
	var paths []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".yaml" {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil {
			continue
		}
		checked++
		if pos, msg, ok := newSource(path, data).syntaxCause(); ok {
			t.Errorf("%s: %s", pos, msg)
		}
	}
	if checked < 100 {
		t.Errorf("checked %d specs, want at least 100", checked)
	}
}
