package oracle

import (
	"fmt"
	"os"
	"strings"

	"github.com/gradgen/gradgen/spec"
)

// describe prints an outcome's spec and failures.
func describe(o *Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed:\n%s", o.Case.Name, o.Case.YAML())
	for _, f := range o.Failures {
		fmt.Fprintf(&b, "    [%s] %s: %s\n", f.Class(), f.Role, truncate(f.Msg, 600))
	}
	return b.String()
}

// LoadCases reads a spec file as cases, one per function, each carrying
// its own text.
func LoadCases(path string) ([]*Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, err := spec.Load(path, data); err != nil {
		return nil, err
	}
	var cases []*Case
	var cur *strings.Builder
	var comment []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "  - name:"):
			cur = &strings.Builder{}
			cases = append(cases, &Case{Name: strings.TrimSpace(strings.TrimPrefix(line, "  - name:"))})
			for _, c := range comment {
				cur.WriteString(c)
			}
			cur.WriteString(line)
			comment = nil
		case strings.HasPrefix(line, "  #"):
			comment = append(comment, line)
		case cur != nil && strings.HasPrefix(line, "    "):
			cur.WriteString(line)
		}
		if cur != nil && len(cases) > 0 {
			cases[len(cases)-1].Text = cur.String()
		}
	}
	return cases, nil
}
