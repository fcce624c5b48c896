//go:build goexperiment.simd && amd64

package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemvOrderModel returns row i of Gemv's y in scalar code, in the order
// vectorGemvRows documents: lane l of accumulator c adds the products of
// columns 16k + 4c + l, accumulator 0 then those of the columns 4k + l left
// after the whole sixteens, the lanes are added (s0 + s1) + (s2 + s3) and
// (l0 + l1) + (l2 + l3), then the last n mod 4 products in order.
func gemvOrderModel(row, x []float64, alpha, beta, y float64) float64 {
	n := len(x)
	var acc [4][4]float64
	j := 0
	for ; j+16 <= n; j += 16 {
		for c := range 4 {
			for l := range 4 {
				acc[c][l] += row[j+4*c+l] * x[j+4*c+l]
			}
		}
	}
	for ; j+4 <= n; j += 4 {
		for l := range 4 {
			acc[0][l] += row[j+l] * x[j+l]
		}
	}
	var v [4]float64
	for l := range 4 {
		v[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l])
	}
	s := (v[0] + v[1]) + (v[2] + v[3])
	for ; j < n; j++ {
		s += row[j] * x[j]
	}
	if beta == 0 {
		y = 0
	}
	return alpha*s + beta*y
}

// TestGemvVectorOrder pins vectorGemvRows to gemvOrderModel bit for bit —
// every cut of the rows, and Gemv itself split across the team — over
// widths around its steps of four and sixteen, padded strides, special
// values (±0, ±Inf, NaN, huge, subnormal) in a, and alpha and beta
// including beta = ±0 over a y of NaNs (not read). It also checks the
// vector sums are as close to blas64.Gemv's as two orders of one sum
// allow: within 2n·ε·Σ|aᵢⱼxⱼ| for finite inputs.
func TestGemvVectorOrder(t *testing.T) {
	if vectorGemvRows == nil {
		t.Skip("this CPU does not run the vector kernels")
	}
	team.start.Do(startTeam)
	defer func(old, oldStream int) { splitMin, gemvStreamMin = old, oldStream }(splitMin, gemvStreamMin)
	splitMin, gemvStreamMin = 8, 1
	rng := rand.New(rand.NewPCG(39, 40))
	negZero := math.Copysign(0, -1)
	checked := 0
	widths := []int{1, 3, 4, 5, 8, 12, 15, 16, 17, 18, 19, 20, 23, 31, 32, 33, 35, 36, 47, 48, 51, 63, 64, 65, 67, 100, 256, 259}
	for _, m := range []int{1, 3, 8, 65, 130} {
		for _, n := range widths {
			for _, ab := range [][2]float64{{1, 0}, {-2.5, 1}, {0.5, -3}, {1, math.Inf(1)}, {2, negZero}, {-1, 0.5}} {
				for _, special := range []bool{false, true} {
					name := fmt.Sprintf("%dx%d alpha=%v beta=%v special=%v", m, n, ab[0], ab[1], special)
					a := paddedRandom(rng, m, n, 7)
					if special {
						a = specialRandom(rng, m, n, 7, 40)
					}
					x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
					for i := range x.Data {
						x.Data[i] = rng.NormFloat64()
					}
					y0 := make([]float64, m)
					for i := range y0 {
						y0[i] = rng.NormFloat64()
						if ab[1] == 0 {
							y0[i] = math.NaN()
						}
					}
					want := make([]float64, m)
					for i := range want {
						want[i] = gemvOrderModel(a.Data[i*a.Stride:i*a.Stride+n], x.Data, ab[0], ab[1], y0[i])
					}
					same := func(how string, y []float64) {
						t.Helper()
						for i, w := range want {
							if got := y[i]; math.Float64bits(got) != math.Float64bits(w) && !(math.IsNaN(got) && math.IsNaN(w)) {
								t.Fatalf("%s, %s: y[%d] = %v, the documented order gives %v", name, how, i, got, w)
							}
						}
						checked++
					}
					for _, cut := range []int{0, 1, m / 2, m - 1, m} {
						if cut < 0 || cut > m {
							continue
						}
						y := blas64.Vector{N: m, Inc: 1, Data: append([]float64(nil), y0...)}
						args := kernelArgs{g: a, v: x, w: y, alpha: ab[0], beta: ab[1]}
						vectorGemvRows(args, cut, m)
						vectorGemvRows(args, 0, cut)
						same(fmt.Sprintf("rows cut at %d", cut), y.Data)
					}
					y := blas64.Vector{N: m, Inc: 1, Data: append([]float64(nil), y0...)}
					Gemv(blas.NoTrans, ab[0], a, x, ab[1], y)
					same("Gemv, split", y.Data)
					if special || math.IsInf(ab[1], 0) {
						continue
					}
					ref := blas64.Vector{N: m, Inc: 1, Data: append([]float64(nil), y0...)}
					blas64.Gemv(blas.NoTrans, ab[0], a, x, ab[1], ref)
					for i := range m {
						bound := 0.0
						for j := range n {
							bound += math.Abs(a.Data[i*a.Stride+j] * x.Data[j])
						}
						bound = 2 * float64(n) * 0x1p-52 * (math.Abs(ab[0])*bound + math.Abs(ab[1]*y0[i]))
						if ab[1] == 0 {
							bound = 2 * float64(n) * 0x1p-52 * math.Abs(ab[0]) * bound
						}
						if d := math.Abs(y.Data[i] - ref.Data[i]); d > bound {
							t.Fatalf("%s: y[%d] = %v, blas64.Gemv %v: %v apart, more than %v", name, i, y.Data[i], ref.Data[i], d, bound)
						}
					}
				}
			}
		}
	}
	if checked < 3000 {
		t.Fatalf("checked %d results", checked)
	}
}

// BenchmarkGemvVector compares Gemv's vector rows (vectorGemvRows, one
// core) with gonum's kernel (blas64.Gemv) over matrices in the caches and
// larger than them: the measurement behind gemvStreamMin.
func BenchmarkGemvVector(b *testing.B) {
	if vectorGemvRows == nil {
		b.Skip("this CPU does not run the vector kernels")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	for _, s := range [][2]int{{256, 16}, {256, 64}, {128, 128}, {64, 256}, {1024, 1024}, {2048, 1024}, {4096, 1024}, {8192, 1024}, {65536, 256}} {
		m, n := s[0], s[1]
		a := benchMatrix(rng, m, n)
		x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
		y := blas64.Vector{N: m, Inc: 1, Data: make([]float64, m)}
		for _, impl := range []string{"blas64", "vector"} {
			b.Run(fmt.Sprintf("%dx%d/impl=%s", m, n, impl), func(b *testing.B) {
				args := kernelArgs{g: a, v: x, w: y, alpha: 1}
				for b.Loop() {
					if impl == "vector" {
						vectorGemvRows(args, 0, m)
					} else {
						blas64.Gemv(blas.NoTrans, 1, a, x, 0, y)
					}
				}
				b.ReportMetric(float64(8*m*n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GB/s")
			})
		}
	}
}

// TestGemvTransVector checks vectorGemvT against the plain loop it
// documents, bit for bit — y scaled by beta (zeroed for 0), then each yⱼ
// adding float64((alpha·xᵢ)·aᵢⱼ) in ascending i — over widths that use
// the 32-, 4- and 1-column steps, row counts past a block, strides past
// the width and special values; and that Gemv takes it for a transposed
// product of its size and not for alpha 0, which gonum answers without
// reading a.
func TestGemvTransVector(t *testing.T) {
	if vectorGemvT == nil {
		t.Skip("this CPU does not run the vector kernels")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	for _, m := range []int{1, 3, 63, 64, 65, 130} {
		for _, n := range []int{1, 3, 4, 7, 31, 32, 33, 36, 67, 256} {
			for _, ab := range [][2]float64{{1, 1}, {-1, 0}, {0.75, -2}, {math.Inf(1), 1}} {
				a := specialRandom(rng, m, n, 5, 9)
				x := specialRandom(rng, 1, m, 0, 9).Data[:m]
				y := specialRandom(rng, 1, n, 0, 9).Data[:n]
				y[0] = math.NaN() // gone when beta is 0
				want := append([]float64(nil), y...)
				for j := range want {
					switch ab[1] {
					case 0:
						want[j] = 0
					case 1:
					default:
						want[j] *= ab[1]
					}
				}
				for i := range m {
					ti := ab[0] * x[i]
					for j := range n {
						want[j] += float64(ti * a.Data[i*a.Stride+j])
					}
				}
				got := append([]float64(nil), y...)
				vectorGemvT(m, n, ab[0], a.Data, a.Stride, x, ab[1], got)
				for j := range want {
					if math.Float64bits(got[j]) != math.Float64bits(want[j]) && !(math.IsNaN(got[j]) && math.IsNaN(want[j])) {
						t.Fatalf("%dx%d alpha=%v beta=%v: y[%d] = %v, the plain loop %v", m, n, ab[0], ab[1], j, got[j], want[j])
					}
				}
			}
		}
	}

	// Gemv's choice: a transposed product in range goes to vectorGemvT,
	// whose bits differ from gonum's in the last places; with alpha 0 it
	// is gonum's, y only scaled.
	m, n := 128, 256
	a := paddedRandom(rng, m, n, 3)
	a.Data[5*a.Stride+7] = math.Inf(1)
	x := blas64.Vector{N: m, Inc: 1, Data: paddedRandom(rng, 1, m, 0).Data}
	y := blas64.Vector{N: n, Inc: 1, Data: paddedRandom(rng, 1, n, 0).Data}
	got := blas64.Vector{N: n, Inc: 1, Data: append([]float64(nil), y.Data...)}
	want := append([]float64(nil), y.Data...)
	vectorGemvT(m, n, 2, a.Data, a.Stride, x.Data, 0.5, want)
	Gemv(blas.Trans, 2, a, x, 0.5, got)
	for j := range want {
		if math.Float64bits(got.Data[j]) != math.Float64bits(want[j]) && !(math.IsNaN(got.Data[j]) && math.IsNaN(want[j])) {
			t.Fatalf("Gemv(Trans) y[%d] = %v, vectorGemvT %v", j, got.Data[j], want[j])
		}
	}
	copy(got.Data, y.Data)
	Gemv(blas.Trans, 0, a, x, 0.5, got)
	for j := range got.Data {
		if got.Data[j] != 0.5*y.Data[j] {
			t.Fatalf("Gemv(Trans) with alpha 0: y[%d] = %v, want %v (no NaN from a's Inf)", j, got.Data[j], 0.5*y.Data[j])
		}
	}
}

// BenchmarkGemvTrans compares Gemv's transposed product on vector
// registers (vectorGemvT) with gonum's kernel on a row panel of the
// benchmark suite's B5 and B8 (in the caches): the measurement behind
// gemvTMin and gemvTMax.
func BenchmarkGemvTrans(b *testing.B) {
	if vectorGemvT == nil {
		b.Skip("this CPU does not run the vector kernels")
	}
	rng := rand.New(rand.NewPCG(45, 46))
	for _, s := range [][2]int{{16, 16}, {32, 32}, {64, 64}, {128, 256}, {256, 128}, {256, 256}, {512, 512}} {
		m, n := s[0], s[1]
		a := benchMatrix(rng, m, n)
		x := blas64.Vector{N: m, Inc: 1, Data: benchMatrix(rng, 1, m).Data}
		y := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
		for _, impl := range []string{"gonum", "vector"} {
			b.Run(fmt.Sprintf("%dx%d/impl=%s", m, n, impl), func(b *testing.B) {
				for b.Loop() {
					if impl == "vector" {
						vectorGemvT(m, n, -1, a.Data, a.Stride, x.Data, 1, y.Data)
					} else {
						blas64.Gemv(blas.Trans, -1, a, x, 1, y)
					}
				}
				b.ReportMetric(float64(2*m*n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
			})
		}
	}
}
