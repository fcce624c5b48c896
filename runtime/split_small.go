//go:build gradgensplit

package runtime

// Built with -tags gradgensplit, the kernels split their work from 2·8
// entries on (split.go), so tests with small inputs run the split path.
func init() { splitMin = 8 }
