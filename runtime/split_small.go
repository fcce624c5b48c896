//go:build gradgensplit

package runtime

// Built with -tags gradgensplit, the kernels split their work from 2·8
// entries on (split.go), Gemv and OuterTo their rows from 16 entries, and row panels hold
// 2 rows once a matrix has 4 columns (PanelRows, PartPanelRows), so tests with small
// inputs run the split paths and loops over several row panels, the last
// one short.
func init() { splitMin, memorySplitMin, panelElems, partPanelElems, panelMinRows = 8, 16, 8, 8, 2 }
