//go:build gradgenpoison

package runtime

// Built with -tags gradgenpoison, workspace buffers start every call
// filled with NaN (poisonWorkspace).
func init() { poisonWorkspace = true }
