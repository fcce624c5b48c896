package runtime

import "gonum.org/v1/gonum/blas/blas64"

// Parts of a row-panel loop. A generated FGrad that walks the rows of a
// data matrix in panels (X w, the loss terms, then Xᵀ r while the panel is
// in cache) cuts the rows into PanelParts parts and runs the parts at once
// on the team (Parts). Each part adds its terms into a sum and a gradient
// of its own (PartAccumulator: the destination itself for part 0), and the
// caller adds the parts together in part order afterwards (AddParts,
// SumParts). The number of parts and their rows depend on the matrix's
// shape alone, never on the team's size or on scheduling, so every run
// adds the same terms in the same order: the result is the same bit for
// bit whether the parts run on one goroutine or several.

// maxParts is the most parts a row-panel loop is cut into: enough to keep
// a team of up to eight goroutines busy.
const maxParts = 8

// PanelParts returns how many parts the row panels of an n×d matrix are
// cut into: one below partsMin entries, where one core runs the loop faster
// than two, or when its rows are wider than maxPartCols, else as many as there are
// panels (PartPanelRows), at most 8.
func PanelParts(n, d int) int {
	if n < 0 || d < 0 {
		panic("runtime: PanelParts of negative dimensions")
	}
	if n*d < partsMin || d > maxPartCols {
		return 1
	}
	rows := partPanelRowsOf(d)
	return max(1, min(maxParts, (n+rows-1)/rows))
}

// partsMin is the least number of entries of a matrix whose row panels
// PanelParts cuts into parts. BenchmarkPanelParts (X w, softplus and σ,
// Xᵀ r; 2 CPUs, idle, 2026-12-05, the helper spinning), parts against one:
// 256×128 one part either way, 512×128 20 % faster, 1024×128 35 %,
// 4096×128 27 %, 1024² 25 %, 8192×256 50 %.
var partsMin = 1 << 16

// partPanelElems is the number of matrix entries in one row panel of a
// loop cut into parts (PartPanelRows): 256 KiB of float64, one core's L2
// share, whatever a backend set through SetPanelElems.
var partPanelElems = 1 << 15

// PartPanelRows returns how many rows of a matrix with cols columns make
// one panel of a row-panel loop cut into parts parts: PanelRows(cols) for
// one part, else panels of about 256 KiB (fewer than 8 rows only when the
// rows are wider than 4096 entries), whatever SetPanelElems set. The parts keep the cores busy already, so a panel's
// products stay below the size a BLAS backend takes to its own threads,
// which would compete with the parts' (OpenBLAS from both parts at once:
// B5 FGrad 4× slower).
func PartPanelRows(cols, parts int) int {
	if parts <= 1 {
		return PanelRows(cols)
	}
	return partPanelRowsOf(cols)
}

// partPanelRowsOf is the rows of a panel of a part: partPanelElems
// entries, at least one row.
func partPanelRowsOf(cols int) int {
	return max(1, partPanelElems/max(cols, 1))
}

// maxPartCols is the widest matrix whose row panels PanelParts cuts into
// parts: a panel of one row of it holds partPanelElems entries, so its
// products stay in gonum's kernels under a BLAS backend (OpenBLAS's
// level-2 cutoff is 65,537 entries) rather than go to the backend's
// threads from every part at once.
const maxPartCols = 1 << 15

// LoopParts returns how many parts an elementwise loop over the entries
// of a rows×cols matrix is cut into, by its rows: one below loopPartsMin
// entries, where one core runs the loop about as fast as the team, else
// one a loopPartsMin entries but at least two, at most 8 and at most one
// a row. The count depends on the shape alone, as PanelParts's does, so a
// sum the parts form is grouped the same way at every call.
func LoopParts(rows, cols int) int {
	if rows < 0 || cols < 0 {
		panic("runtime: LoopParts of negative dimensions")
	}
	entries := rows * cols
	if entries < loopPartsMin {
		return 1
	}
	return min(maxParts, rows, max(2, entries/loopPartsMin))
}

// loopPartsMin is the least number of entries of an elementwise loop that
// LoopParts cuts into parts. BenchmarkLoopParts (a − b .* c over
// matrices, 8 parts against one, 2 CPUs, idle, the helper spinning,
// 2026-12-05, 6 runs): 64×64 n.s. (−19 %), 128×64 −46 %, 128×128 −39 %,
// 256×128 −46 %, 256×256 −48 %, 1024×256 −33 %.
var loopPartsMin = 1 << 13

// PartRows returns the rows lo … hi−1 of part k of n rows cut into parts
// parts of sizes that differ by one at most.
func PartRows(n, parts, k int) (lo, hi int) {
	if parts < 1 || k < 0 || k >= parts {
		panic("runtime: PartRows of a part out of range")
	}
	return k * n / parts, (k + 1) * n / parts
}

// PartAccumulator returns the vector part k of a row-panel loop adds its
// share of a gradient into: dst itself for part 0, else piece k−1 of
// spare, the parts−1 pieces of dst's length laid end to end, set to zero.
// It panics if spare has no piece k−1.
func PartAccumulator(dst, spare blas64.Vector, k int) blas64.Vector {
	if k == 0 {
		return dst
	}
	n := dst.N
	if k < 0 || k*n > spare.N || spare.Inc != 1 {
		panic("runtime: PartAccumulator of a part out of range")
	}
	piece := spare.Data[(k-1)*n : k*n]
	clear(piece)
	return blas64.Vector{N: n, Inc: 1, Data: piece}
}

// AddParts adds the pieces of spare (PartAccumulator's), in order, to
// dst. It panics if spare is not made of pieces of dst's length.
func AddParts(dst, spare blas64.Vector) {
	n := dst.N
	if n == 0 {
		return
	}
	if spare.N%n != 0 || spare.Inc != 1 {
		panic("runtime: AddParts of spare pieces of another length")
	}
	for k := 0; k < spare.N/n; k++ {
		blas64.Axpy(1, blas64.Vector{N: n, Inc: 1, Data: spare.Data[k*n : (k+1)*n]}, dst)
	}
}

// SumParts returns the sum of the parts' sums, added in part order.
func SumParts(sums blas64.Vector) float64 {
	s := 0.0
	for k := 0; k < sums.N; k++ {
		s += sums.Data[k*sums.Inc]
	}
	return s
}

// PartRunner is a loop cut into parts: the struct of a generated
// function's parallel loop, which holds the loop's operands while it runs
// (in a field of the function's workspace), and whose RunPart(k) runs part
// k. Each part must write only its own rows and its own accumulators.
type PartRunner interface {
	RunPart(k int)
}

// Parts runs loop.RunPart(k) for every part k in [0, parts): on the team,
// in contiguous runs of parts, when there are two parts or more and the
// team is free, else one part after another on the calling goroutine.
// Nothing is allocated per call.
func Parts(parts int, loop PartRunner) {
	if parts < 2 {
		for k := range parts {
			CleanVectorState()
			loop.RunPart(k)
		}
		return
	}
	split(runParts, kernelArgs{parts: loop}, parts, splitMin)
}

// runParts is the kernelPart of Parts: parts lo … hi−1 one after another,
// each started with the upper halves of the vector registers clean
// (CleanVectorState).
func runParts(args kernelArgs, lo, hi int) {
	for k := lo; k < hi; k++ {
		CleanVectorState()
		args.parts.RunPart(k)
	}
}
