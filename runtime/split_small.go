//go:build gradgensplit

package runtime

// Built with -tags gradgensplit, the kernels split their work from 2·8
// entries on (split.go), Gemv, OuterTo and AddTransposeTo their rows from
// 16 entries, the vector products (vectorMul) their blocks of rows from 16
// multiply-adds, Gemv and PanelGemv stream the rows of matrices from 16
// entries (gemvStreamMin, with the vector kernels), row panels hold 2 rows once a matrix has 4 columns
// (PanelRows), and row-panel loops run in parts of one panel of 1 row (2
// for one column) from 2 rows on (PanelParts, PartPanelRows), and
// elementwise loops in parts from 2 entries (LoopParts), Gemm.Mul
// sends half the shapes to GemmFMA whatever their size (fmaShape) and a
// quarter of those GemmColumns and GemmNarrow could take to them
// (columnsShape, narrowGemmShape), cut into parts from 2 multiply-adds
// (narrowSplitMin, split_narrow.go), and
// Gemm.MulPlusTranspose half its narrow ones to narrowPlusTranspose
// (narrowShape), so tests
// with small inputs run the split paths, loops over several row panels,
// the last one short, and loops in parts.
func init() {
	splitMin, memorySplitMin, panelElems, panelMinRows = 8, 16, 8, 2
	partsMin, partPanelElems, transposeSplitMin, vectorSplitMin = 1, 2, 16, 16
	gemvStreamMin, loopPartsMin = 16, 2
	fmaHalfShapes = true
}
