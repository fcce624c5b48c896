//go:build gradgensplit && goexperiment.simd && amd64

package runtime

// Built with -tags gradgensplit, GemmNarrow and GemmColumns cut products
// into parts on the team from 2 multiply-adds (narrowSplitMin), so that
// tests with small inputs run them in parts.
func init() { narrowSplitMin = 2 }
