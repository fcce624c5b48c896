package spec

// Suggest returns the candidate closest to name, for a "did you mean"
// hint: the first candidate at the smallest edit distance (optimal string
// alignment: insertions, deletions, substitutions and swaps of neighbouring
// runes, so "lgo" is one edit from "log"), provided that distance is at most
// max(1, len(name)/3) and below len(name), with len counted in runes. It
// returns "" when no candidate is that close.
func Suggest(name string, candidates []string) string {
	target := []rune(name)
	// A name is never "one edit away" from a name it shares nothing with:
	// a one-letter name gets no suggestion.
	limit := min(max(1, len(target)/3), len(target)-1)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		candidate := []rune(c)
		if abs(len(candidate)-len(target)) >= bestDist {
			continue // the distance is at least the difference in length
		}
		if d := editDistance(target, candidate); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance returns the number of single-rune insertions, deletions,
// substitutions and swaps of neighbouring runes that turn a into b.
func editDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
			if i > 0 && j > 0 && a[i] == b[j-1] && a[i-1] == b[j] {
				cur[j+1] = min(cur[j+1], prev2[j-1]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
