package emit

import (
	"strings"
	"testing"
)

// TestGroupImports checks the regrouping of jennifer's sorted import block:
// the standard library first, a blank line, then the rest, each group in
// its order; other forms are left alone or refused.
func TestGroupImports(t *testing.T) {
	for _, tc := range []struct {
		name, src, want, err string
	}{
		{
			name: "mixed",
			src:  "package p\n\nimport (\n\t\"github.com/a/b\"\n\tx \"gonum.org/v1/gonum/mat\"\n\t\"math\"\n\t\"sync\"\n)\n\nvar _ = 1\n",
			want: "package p\n\nimport (\n\t\"math\"\n\t\"sync\"\n\n\t\"github.com/a/b\"\n\tx \"gonum.org/v1/gonum/mat\"\n)\n\nvar _ = 1\n",
		},
		{
			name: "standard library only",
			src:  "package p\n\nimport (\n\t\"math\"\n\t\"sync\"\n)\n",
			want: "package p\n\nimport (\n\t\"math\"\n\t\"sync\"\n)\n",
		},
		{
			name: "one import",
			src:  "package p\n\nimport \"gonum.org/v1/gonum/mat\"\n",
			want: "package p\n\nimport \"gonum.org/v1/gonum/mat\"\n",
		},
		{
			name: "no imports",
			src:  "package p\n\nvar x = 1\n",
			want: "package p\n\nvar x = 1\n",
		},
		{
			name: "comment in the block",
			src:  "package p\n\nimport (\n\t\"math\" // why\n\t\"gonum.org/v1/gonum/mat\"\n)\n",
			err:  "jennifer does not write",
		},
		{
			name: "two declarations",
			src:  "package p\n\nimport \"math\"\nimport \"sync\"\n",
			err:  "not in one declaration",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := groupImports([]byte(tc.src))
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			case string(got) != tc.want:
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
