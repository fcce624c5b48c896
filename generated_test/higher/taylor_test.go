package higher

import (
	"math"
	"testing"
)

// series is a truncated Taylor series in t about a point: series[m] is the
// m-th coefficient, f⁽ᵐ⁾/m!. The arithmetic below is the textbook one,
// written here independently of gradgen, as the reference for the order-10
// derivatives.
type series []float64

// variable is the series of t itself at t0, to order k.
func variable(t0 float64, k int) series {
	s := make(series, k+1)
	s[0] = t0
	if k > 0 {
		s[1] = 1
	}
	return s
}

func (a series) scale(c float64) series {
	out := make(series, len(a))
	for i := range a {
		out[i] = c * a[i]
	}
	return out
}

// times is the Cauchy product.
func (a series) times(b series) series {
	out := make(series, len(a))
	for m := range out {
		for i := 0; i <= m; i++ {
			out[m] += a[i] * b[m-i]
		}
	}
	return out
}

// sinCos returns the series of sin(a) and cos(a): with s' = c a' and
// c' = −s a', m s_m = Σ_{j=1}^{m} j a_j c_{m−j}, m c_m = −Σ j a_j s_{m−j}.
func (a series) sinCos() (series, series) {
	s, c := make(series, len(a)), make(series, len(a))
	s[0], c[0] = math.Sin(a[0]), math.Cos(a[0])
	for m := 1; m < len(a); m++ {
		for j := 1; j <= m; j++ {
			s[m] += float64(j) * a[j] * c[m-j]
			c[m] -= float64(j) * a[j] * s[m-j]
		}
		s[m] /= float64(m)
		c[m] /= float64(m)
	}
	return s, c
}

func (a series) sin() series { s, _ := a.sinCos(); return s }

// derivative returns f⁽ᵐ⁾ = m! a_m.
func (a series) derivative(m int) float64 {
	d := a[m]
	for i := 2; i <= m; i++ {
		d *= float64(i)
	}
	return d
}

// TestOrderTenAgainstTaylorSeries checks every order 1 … 10 of the
// product of five sines and of five nested sines (issue 11's budget cases)
// against the numeric Taylor series, at several points.
func TestOrderTenAgainstTaylorSeries(t *testing.T) {
	cases := []struct {
		name   string
		series func(t series) series
		derivs []func(float64) float64
	}{
		{"SineProduct", func(t series) series {
			p := t.scale(1).sin()
			for k := 2; k <= 5; k++ {
				p = p.times(t.scale(float64(k)).sin())
			}
			return p
		}, []func(float64) float64{SineProductDeriv, SineProductDeriv2, SineProductDeriv3, SineProductDeriv4,
			SineProductDeriv5, SineProductDeriv6, SineProductDeriv7, SineProductDeriv8, SineProductDeriv9, SineProductDeriv10}},
		{"NestedSine", func(t series) series { return t.sin().sin().sin().sin().sin() },
			[]func(float64) float64{NestedSineDeriv, NestedSineDeriv2, NestedSineDeriv3, NestedSineDeriv4,
				NestedSineDeriv5, NestedSineDeriv6, NestedSineDeriv7, NestedSineDeriv8, NestedSineDeriv9, NestedSineDeriv10}},
	}
	for _, c := range cases {
		for _, t0 := range []float64{-1.3, -0.2, 0, 0.4, 0.9, 2.5} {
			ref := c.series(variable(t0, 10))
			for k, deriv := range c.derivs {
				got, want := deriv(t0), ref.derivative(k+1)
				if d := math.Abs(got - want); !(d <= 1e-11*math.Max(1, math.Abs(want))) {
					t.Errorf("%s: d^%d/dt^%d at t = %v: generated %v, Taylor series %v", c.name, k+1, k+1, t0, got, want)
				}
			}
		}
	}
}
