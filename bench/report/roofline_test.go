package main

import (
	"math"
	"os"
	"regexp"
	"testing"
)

// TestModel checks the model table against counts made by hand, for one
// small size of every case, with unequal dimensions so that a swapped
// dimension shows. Bytes are 8 × (entries read + entries written); flops
// 2abc per a×b by b×c product.
func TestModel(t *testing.T) {
	for _, c := range []struct {
		key         Key
		fBytes, fFl float64
		gBytes, gFl float64
	}{
		// in: a 3 + X 9 + b 3 = 15. F: Xb 18, a'(Xb) 6. FGrad: + ∂X 9 out, a bᵀ 18.
		{Key{"B1Bilinear", "n=3"}, 8 * 16, 24, 8 * (16 + 9), 42},
		{Key{"B2ExpMix", "n=3"}, 8 * 16, 24, 8 * (16 + 9), 42},
		// in: A 16 + W 8 = 24. A W 2·4·4·2 = 64, ⟨W, AW⟩ 16; FGrad: + ∂W 8 out, the same flops.
		{Key{"B3QuadTrace", "n=4,k=2"}, 8 * 25, 80, 8 * (25 + 8), 80},
		// in: B 3×2 6 + X 4×3 12 + C 16 = 34. X B 2·4·3·2 = 48, C Y 2·4·4·2 = 64, ⟨Y, CY⟩ 16;
		// FGrad: + ∂X 12 out, Z Bᵀ 2·4·2·3 = 48.
		{Key{"B4Sandwich", "m=4,n=3,p=2"}, 8 * 35, 128, 8 * (35 + 12), 176},
		// in: X 15 + y 5 + w 3 + λ 1 = 24. X w 30, w'w 6; FGrad: + ∂w 3 out, Xᵀv 30.
		{Key{"B5LogReg", "n=5,d=3"}, 8 * 25, 36, 8 * (25 + 3), 66},
		// in: two triangles of 6. Cholesky, L⁻¹, L⁻ᵀL⁻¹: 27; ⟨S⁻¹, C⟩ 18. FGrad: + one
		// triangle 6 out; 27 + S⁻¹C 54 + half of (S⁻¹C)S⁻¹ 27.
		{Key{"B6GaussNLL", "n=3"}, 8 * 13, 45, 8 * (13 + 6), 108},
		// in: X 20 + W1 12 + W2 6 + Y 10 = 48. X W1 2·5·4·3 = 120, H W2 2·5·3·2 = 60, ⟨R, R⟩ 20;
		// FGrad: + ∂W1 12, ∂W2 6 out; Hᵀ R 60, R W2ᵀ 60, Xᵀ dZ 120.
		{Key{"B7MLP", "n=5,d=4,h=3,o=2"}, 8 * 49, 200, 8 * (49 + 18), 440},
		// in: X 20 + Y 15 + W 12 + b 3 = 50. X W 120, ⟨Y, Z⟩ 30; FGrad: + ∂W 12, ∂b 3 out; Xᵀ G 120.
		{Key{"B8Softmax", "n=5,d=4,k=3"}, 8 * 51, 150, 8 * (51 + 15), 270},
	} {
		f, g, ok := Model(c.key)
		if !ok {
			t.Errorf("%v: no model", c.key)
			continue
		}
		if f != (Work{c.fBytes, c.fFl}) || g != (Work{c.gBytes, c.gFl}) {
			t.Errorf("%v: F %+v, FGrad %+v; want F {%v %v}, FGrad {%v %v}", c.key, f, g, c.fBytes, c.fFl, c.gBytes, c.gFl)
		}
	}
}

// TestModelCoversSuite checks that every case of bench/bench.yaml has a
// model, and that labels a model cannot read give none.
func TestModelCoversSuite(t *testing.T) {
	spec, err := os.ReadFile("../bench.yaml")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`(?m)^  - name: (\w+)`).FindAllStringSubmatch(string(spec), -1)
	if len(names) == 0 {
		t.Fatal("no case names in bench.yaml")
	}
	for _, m := range names {
		if _, ok := rooflineModels[m[1]]; !ok {
			t.Errorf("case %s of bench.yaml has no roofline model", m[1])
		}
	}
	if len(rooflineModels) != len(names) {
		t.Errorf("%d models for %d cases", len(rooflineModels), len(names))
	}
	for _, k := range []Key{{"B9Unknown", "n=3"}, {"B3QuadTrace", "n=4"}, {"B1Bilinear", "n"}, {"B1Bilinear", "n=x"}, {"B1Bilinear", "n=0"}} {
		if _, _, ok := Model(k); ok {
			t.Errorf("Model(%v) ok, want no model", k)
		}
	}
}

func TestWorkTime(t *testing.T) {
	r := Rates{GBs: 10, GFLOPs: 20}
	for _, c := range []struct {
		w     Work
		ns    float64
		bound Bound
	}{
		{Work{1000, 1000}, 100, MemoryBound}, // 1000 B at 10 B/ns; 1000 flop at 20 flop/ns is 50 ns
		{Work{100, 4000}, 200, GemmBound},
		{Work{0, 0}, 0, MemoryBound},
	} {
		if ns, b := c.w.Time(r); ns != c.ns || b != c.bound {
			t.Errorf("%+v: %v ns %s, want %v ns %s", c.w, ns, b, c.ns, c.bound)
		}
	}
	if ns, _ := (Work{1, 1}).Time(Rates{GBs: 10}); !math.IsNaN(ns) {
		t.Errorf("time without a Dgemm rate = %v, want NaN", ns)
	}
}
