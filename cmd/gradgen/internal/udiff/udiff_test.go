package udiff

import (
	"fmt"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	lines := func(from, to int) string { // "1\n" … "to\n"
		var s strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&s, "%d\n", i)
		}
		return s.String()
	}
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{name: "identical", old: "a\nb\n", new: "a\nb\n", want: ""},
		{name: "both empty", want: ""},
		{
			name: "insert", old: "a\nb\nc\n", new: "a\nb\nx\nc\n",
			want: "--- old\n+++ new\n@@ -1,3 +1,4 @@\n a\n b\n+x\n c\n",
		},
		{
			name: "delete", old: "a\nb\nc\n", new: "a\nc\n",
			want: "--- old\n+++ new\n@@ -1,3 +1,2 @@\n a\n-b\n c\n",
		},
		{
			name: "replace", old: "a\nb\nc\n", new: "a\nB\nc\n",
			want: "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		},
		{
			name: "into empty", old: "a\nb\n", new: "",
			want: "--- old\n+++ new\n@@ -1,2 +0,0 @@\n-a\n-b\n",
		},
		{
			name: "from empty", old: "", new: "a\n",
			want: "--- old\n+++ new\n@@ -0,0 +1 @@\n+a\n",
		},
		{
			name: "context cut at three lines", old: lines(1, 10), new: strings.Replace(lines(1, 10), "5\n", "five\n", 1),
			want: "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			name: "hunks merge when their contexts meet",
			old:  lines(1, 12),
			new:  strings.Replace(strings.Replace(lines(1, 12), "3\n", "three\n", 1), "9\n", "nine\n", 1),
			want: "--- old\n+++ new\n@@ -1,12 +1,12 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n 10\n 11\n 12\n",
		},
		{
			name: "hunks apart when seven lines lie between",
			old:  lines(1, 20),
			new:  strings.Replace(strings.Replace(lines(1, 20), "3\n", "three\n", 1), "11\n", "eleven\n", 1),
			want: "--- old\n+++ new\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n" +
				"@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+eleven\n 12\n 13\n 14\n",
		},
		{
			name: "no newline at end of the new text", old: "a\nb\n", new: "a\nb",
			want: "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
		},
		{
			name: "no newline at end of either", old: "a\nb", new: "a\nc",
			want: "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
		},
		{
			name: "a minimal script among repeated lines", old: "a\nb\nc\na\nb\nb\na\n", new: "c\nb\na\nb\na\nc\n",
			want: "--- old\n+++ new\n@@ -1,7 +1,6 @@\n-a\n-b\n c\n+b\n a\n b\n-b\n a\n+c\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unified("old", "new", []byte(tt.old), []byte(tt.new), 3); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestScriptApplies checks on texts of every pair of small line sets that
// the edit script turns the old text into the new one, and that it is
// minimal: no longer than the one found by dynamic programming.
func TestScriptApplies(t *testing.T) {
	texts := []string{"", "a\n", "b\n", "a\nb\n", "b\na\n", "a\na\nb\n", "a\nb\nc\na\n", "c\nb\na\nb\na\nc\n", "x\ny\nz\n"}
	for _, old := range texts {
		for _, new := range texts {
			a, b := splitLines(old), splitLines(new)
			edits := diffLines(a, b)
			var gotOld, gotNew strings.Builder
			changes := 0
			for _, e := range edits {
				if e.kind != inserted {
					gotOld.WriteString(e.line)
				}
				if e.kind != deleted {
					gotNew.WriteString(e.line)
				}
				changes += count(e.kind != equal)
			}
			if gotOld.String() != old || gotNew.String() != new {
				t.Errorf("%q → %q: the script gives %q → %q", old, new, gotOld.String(), gotNew.String())
			}
			if want := len(a) + len(b) - 2*lcs(a, b); changes != want {
				t.Errorf("%q → %q: %d changes, want %d", old, new, changes, want)
			}
		}
	}
}

// lcs returns the length of a longest common subsequence of a and b.
func lcs(a, b []string) int {
	table := make([][]int, len(a)+1)
	for i := range table {
		table[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				table[i][j] = table[i+1][j+1] + 1
			} else {
				table[i][j] = max(table[i+1][j], table[i][j+1])
			}
		}
	}
	return table[0][0]
}

// TestFarApart checks that texts further apart than maxEditDistance give
// one replacement of everything between their common ends.
func TestFarApart(t *testing.T) {
	var old, new strings.Builder
	old.WriteString("same\n")
	new.WriteString("same\n")
	for i := range maxEditDistance {
		fmt.Fprintf(&old, "old %d\n", i)
		fmt.Fprintf(&new, "new %d\n", i)
	}
	got := Unified("old", "new", []byte(old.String()), []byte(new.String()), 3)
	want := fmt.Sprintf("@@ -1,%d +1,%d @@\n same\n-old 0\n", maxEditDistance+1, maxEditDistance+1)
	if !strings.Contains(got, want) || strings.Count(got, "\n-") != maxEditDistance || strings.Count(got, "\n+") != maxEditDistance+1 {
		t.Errorf("got %.200s…", got)
	}
}
