package main

import "runtime/debug"

// develVersion is the version of a gradgen built from a source tree
// rather than from a module version: go run ./cmd/gradgen, go generate in
// this repository, go test.
const develVersion = "devel"

// version returns the generator's version: the version of the module
// gradgen was built from, as runtime/debug.ReadBuildInfo records it (for
// go install github.com/gradgen/gradgen/cmd/gradgen@v1.2.3 or go tool
// gradgen, the version go.mod requires; the version of a replacement
// module when go.mod replaces it by one), else develVersion.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return develVersion
	}
	return moduleVersion(info.Main)
}

// moduleVersion returns the version of m: its replacement's, when it is
// replaced; develVersion for a source tree (no version, "(devel)", or a
// replacement by a folder, whose code no version names).
func moduleVersion(m debug.Module) string {
	if m.Replace != nil {
		m = *m.Replace
	}
	if m.Version == "" || m.Version == "(devel)" {
		return develVersion
	}
	return m.Version
}
