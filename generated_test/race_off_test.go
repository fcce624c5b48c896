//go:build !race

package generated

// raceEnabled reports whether the race detector is on; it makes sync.Pool
// drop entries at random, so allocation counts are meaningless under it.
const raceEnabled = false
