//go:build goexperiment.simd && amd64

package runtime

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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

// TestBlockKernelsFourLanes runs the block kernels' tests with the
// four-lane kernels on a CPU with AVX-512, where the eight-lane ones
// (vecmath_simd8.go) are the ones in use, so that both widths are checked
// against the scalar functions, bit for bit, there; and the row kernels,
// whose exps go through expInPlace.
func TestBlockKernelsFourLanes(t *testing.T) {
	if !wideVectors {
		t.Skip("this CPU has no AVX-512: the block kernels' tests ran the four lanes")
	}
	defer func(k blockKernels) { kernels, wideVectors = k, true }(kernels)
	kernels, wideVectors = quadKernels, false
	for _, test := range []func(*testing.T){
		TestBlockKernelsMatchScalar, TestBlockKernelsPositionIndependent, TestPairKernelsInPlace,
		TestBlockKernelsSpecialValues, TestRowKernels, TestRowKernelsInPlace,
	} {
		test(t)
	}
}

// TestVecmath8Generated checks that vecmath_simd8.go is what
// gen_vecmath8.go writes from vecmath_simd.go: run go generate after
// changing the four-lane kernels.
func TestVecmath8Generated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	out := filepath.Join(t.TempDir(), "vecmath_simd8.go")
	cmd := exec.Command("go", "run", "gen_vecmath8.go", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_vecmath8.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("vecmath_simd8.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("vecmath_simd8.go is stale: run go generate ./runtime")
	}
}
