// Package udiff computes the line differences of two texts by Myers'
// O(ND) algorithm and prints them as a unified diff, the format of
// `diff -u` and `git diff`: a "---"/"+++" header, then hunks headed
// "@@ -a,b +c,d @@" whose lines begin with ' ' (context), '-' (only in
// the old text) or '+' (only in the new one).
package udiff

import (
	"fmt"
	"strings"
)

// maxEditDistance bounds the edit distance searched for a minimal diff:
// Myers' algorithm keeps O(D²) integers for D edits. Texts further apart
// than that are shown as one replacement of the lines between their
// common first and last lines, a correct diff though not a minimal one.
const maxEditDistance = 2000

// kind is what an edit does to a line.
type kind int

const (
	equal    kind = iota // in both texts
	deleted              // only in the old text
	inserted             // only in the new text
)

// edit is one line of the diff.
type edit struct {
	kind kind
	line string // with its line break, if it has one
}

// Unified returns the unified diff turning old into new with context
// lines of context around each change, under the header names oldName and
// newName; "" when the texts are equal. Changes closer than 2×context
// lines share a hunk. A last line without a line break is followed by
// "\ No newline at end of file", as diff prints it.
func Unified(oldName, newName string, old, new []byte, context int) string {
	a, b := splitLines(string(old)), splitLines(string(new))
	edits := diffLines(a, b)
	var out strings.Builder
	for _, h := range hunks(edits, context) {
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
		}
		h.write(&out, edits)
	}
	return out.String()
}

// splitLines splits s after each line break; the last line lacks one when
// s does not end with one.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines returns an edit script turning a into b, minimal when a and b
// are within maxEditDistance edits of each other, with their common
// first and last lines kept as they are.
func diffLines(a, b []string) []edit {
	prefix := 0
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(a)-prefix && suffix < len(b)-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	var edits []edit
	for _, line := range a[:prefix] {
		edits = append(edits, edit{equal, line})
	}
	edits = append(edits, myers(a[prefix:len(a)-suffix], b[prefix:len(b)-suffix])...)
	for _, line := range a[len(a)-suffix:] {
		edits = append(edits, edit{equal, line})
	}
	return edits
}

// myers returns a shortest edit script turning a into b (Myers, "An O(ND)
// Difference Algorithm and Its Variations", 1986), deletions before
// insertions at each change; past maxEditDistance, every line of a
// deleted and every line of b inserted.
func myers(a, b []string) []edit {
	n, m := len(a), len(b)
	limit := min(n+m, maxEditDistance)
	// furthest[k+limit+1] is the furthest x reached on diagonal k = x-y.
	furthest := make([]int, 2*limit+3)
	// trace[d] holds furthest[k] for k in -d..d as round d began.
	var trace [][]int
	for d := 0; d <= limit; d++ {
		trace = append(trace, append([]int(nil), furthest[limit+1-d:limit+2+d]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && furthest[limit+k] < furthest[limit+k+2] {
				x = furthest[limit+k+2] // down from diagonal k+1: an insertion
			} else {
				x = furthest[limit+k] + 1 // right from diagonal k-1: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			furthest[limit+k+1] = x
			if x >= n && y >= m {
				return backtrack(a, b, trace)
			}
		}
	}
	edits := make([]edit, 0, n+m)
	for _, line := range a {
		edits = append(edits, edit{deleted, line})
	}
	for _, line := range b {
		edits = append(edits, edit{inserted, line})
	}
	return edits
}

// backtrack follows the rounds of myers back from the end of a and b to
// their start and returns the edits in order.
func backtrack(a, b []string, trace [][]int) []edit {
	x, y := len(a), len(b)
	var reversed []edit
	for d := len(trace) - 1; d >= 0; d-- {
		reached := func(k int) int { return trace[d][k+d] }
		k := x - y
		var prevK int
		if k == -d || k != d && reached(k-1) < reached(k+1) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX, prevY := 0, 0 // round 0 starts at the texts' start
		if d > 0 {
			prevX = reached(prevK)
			prevY = prevX - prevK
		}
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			reversed = append(reversed, edit{equal, a[x]})
		}
		if d == 0 {
			break
		}
		if x == prevX {
			reversed = append(reversed, edit{inserted, b[prevY]})
		} else {
			reversed = append(reversed, edit{deleted, a[prevX]})
		}
		x, y = prevX, prevY
	}
	edits := make([]edit, len(reversed))
	for i, e := range reversed {
		edits[len(reversed)-1-i] = e
	}
	return edits
}

// hunk is the edits [start, end) of a script, shown together.
type hunk struct{ start, end int }

// hunks groups the changes of edits into hunks with context lines of
// context, merging changes whose contexts would meet.
func hunks(edits []edit, context int) []hunk {
	var hs []hunk
	i := 0
	for {
		for i < len(edits) && edits[i].kind == equal {
			i++
		}
		if i == len(edits) {
			return hs
		}
		h := hunk{start: max(i-context, 0)}
		end := i
		for {
			for end < len(edits) && edits[end].kind != equal {
				end++
			}
			next := end // the next change, or the end of the script
			for next < len(edits) && edits[next].kind == equal {
				next++
			}
			if next < len(edits) && next-end <= 2*context {
				end = next
				continue
			}
			h.end = min(end+context, next)
			break
		}
		hs = append(hs, h)
		i = h.end
	}
}

// write prints h's header and lines.
func (h hunk) write(out *strings.Builder, edits []edit) {
	oldStart, newStart := 0, 0 // lines of each text before the hunk
	for _, e := range edits[:h.start] {
		oldStart += count(e.kind != inserted)
		newStart += count(e.kind != deleted)
	}
	oldLen, newLen := 0, 0
	for _, e := range edits[h.start:h.end] {
		oldLen += count(e.kind != inserted)
		newLen += count(e.kind != deleted)
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", lineRange(oldStart, oldLen), lineRange(newStart, newLen))
	for _, e := range edits[h.start:h.end] {
		out.WriteByte(" -+"[e.kind])
		out.WriteString(e.line)
		if !strings.HasSuffix(e.line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// count is 1 for true, 0 for false.
func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lineRange prints the lines of a hunk in one text as diff does: the
// first line and the number of lines, the number left out when it is 1;
// an empty range names the line before it.
func lineRange(before, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprint(before + 1)
	}
	return fmt.Sprintf("%d,%d", before+1, n)
}
