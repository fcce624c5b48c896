//go:build amd64.v3

package runtime

// scalarMayFuse reports whether the compiler may fuse the multiply-adds of
// portable Go scalar code (math.Tanh, math.Log1p) into FMA instructions,
// which the vector code, written to match unfused amd64 code, does not do.
const scalarMayFuse = true
