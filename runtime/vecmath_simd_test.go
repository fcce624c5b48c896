//go:build goexperiment.simd && amd64

package runtime

import (
	"math"
	"math/rand/v2"
	"testing"

	"simd/archsimd"
)

// TestLog1pUnit pins the vector log1p to math.Log1p on the whole of [0, 1]
// that softplus feeds it: random u and 2000 neighbours of each point where
// Log1p changes branch or its 1+u changes binade or halving (√2-1, where 1+u
// crosses √2, 1 where 1+u reaches 2, 2^-29, 2^-54, 0).
func TestLog1pUnit(t *testing.T) {
	if !vectorised {
		t.Skip("this CPU does not run the vector kernels")
	}
	us := []float64{0, 1, math.NaN(), math.SmallestNonzeroFloat64}
	for _, p := range []float64{4.142135623730950488017e-01, math.Sqrt2 - 1, 1, 0x1p-29, 0x1p-54, 0x1p-20} {
		up, down := p, p
		for range 1000 {
			us = append(us, up, down)
			up, down = math.Nextafter(up, 2), math.Nextafter(down, -1)
		}
	}
	rng := rand.New(rand.NewPCG(15, 4))
	for range 1 << 16 {
		us = append(us, rng.Float64(), math.Ldexp(rng.Float64(), -rng.IntN(80)))
	}
	us = append(us, make([]float64, (-len(us))&3)...)
	for i := 0; i < len(us); i += 4 {
		var got [4]float64
		log1pUnit(archsimd.LoadFloat64x4Slice(us[i:])).Store(&got)
		for j, u := range us[i : i+4] {
			if u < 0 || u > 1 {
				continue
			}
			if want := math.Log1p(u); ulpDistance(got[j], want) > allowedULP(true) {
				t.Fatalf("log1pUnit(%v [%#016x]) = %v, math.Log1p %v", u, math.Float64bits(u), got[j], want)
			}
		}
	}
}
