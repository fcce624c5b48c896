package runtime

import "embed"

// Source holds this package's own Go files, so that gradgen -standalone can
// copy the helpers a generated file uses into it. Programs that do not
// refer to Source do not carry it: the linker drops it.
//
//go:embed *.go
var Source embed.FS
