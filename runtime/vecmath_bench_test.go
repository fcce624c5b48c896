package runtime

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkBlockKernels times each block kernel (impl=block: vector code
// where built and supported, see VectorisedBlocks) against the plain loop
// over its scalar function (impl=scalar), in ns per element, on inputs of
// typical size (|x| < 20; log's in (0, 100)). Compare the two with
//
//	benchstat -col /impl
func BenchmarkBlockKernels(b *testing.B) {
	type kernel struct {
		name           string
		block, scalar  func(dst, src []float64)
		positiveInputs bool
	}
	softplusSigmoid := func(f func(sp, sig, src []float64)) func(dst, src []float64) {
		sig := make([]float64, 1<<16)
		return func(dst, src []float64) { f(dst, sig[:len(src)], src) }
	}
	kernels := []kernel{
		{"Exp", ExpTo, scalarKernels.exp, false},
		{"Log", LogTo, scalarKernels.log, true},
		{"Tanh", TanhTo, scalarKernels.tanh, false},
		{"Sigmoid", SigmoidTo, scalarKernels.sigmoid, false},
		{"Softplus", SoftplusTo, scalarKernels.softplus, false},
		{"SigmoidDeriv", SigmoidDerivTo, scalarKernels.sigmoidDeriv, false},
		{"TanhDeriv", TanhDerivTo, scalarKernels.tanhDeriv, false},
		{"SoftplusSigmoid", softplusSigmoid(SoftplusSigmoidTo), softplusSigmoid(scalarKernels.softplusSigmoid), false},
	}
	rng := rand.New(rand.NewPCG(15, 5))
	for _, k := range kernels {
		for _, n := range []int{16, 1024, 65536} {
			src, dst := make([]float64, n), make([]float64, n)
			for i := range src {
				if k.positiveInputs {
					src[i] = rng.Float64() * 100
				} else {
					src[i] = (rng.Float64()*2 - 1) * 20
				}
			}
			for _, impl := range []struct {
				name string
				f    func(dst, src []float64)
			}{{"block", k.block}, {"scalar", k.scalar}} {
				b.Run(fmt.Sprintf("%s/n=%d/impl=%s", k.name, n, impl.name), func(b *testing.B) {
					for b.Loop() {
						impl.f(dst, src)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
				})
			}
		}
	}
}

// BenchmarkScalarAfterBlock times a scalar math.Exp loop over 1024 values
// alone and right after a 16-element ExpTo: the two agree (within the
// ExpTo's own ~50 ns) only because the vector kernels end with VZEROUPPER;
// without it the scalar loop ran 5× slower after any vector kernel.
func BenchmarkScalarAfterBlock(b *testing.B) {
	src := make([]float64, 1024)
	for i := range src {
		src[i] = float64(i%40) - 20.5
	}
	dst := make([]float64, len(src))
	for _, afterBlock := range []bool{false, true} {
		b.Run(fmt.Sprintf("afterBlock=%v", afterBlock), func(b *testing.B) {
			for b.Loop() {
				if afterBlock {
					ExpTo(dst[:16], src[:16])
				}
				scalarKernels.exp(dst, src)
			}
		})
	}
}
