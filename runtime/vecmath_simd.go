//go:build goexperiment.simd && amd64

package runtime

import (
	"math"
	"simd/archsimd"
)

// The vector block kernels: four float64 lanes in a 256-bit register (AVX2,
// with FMA where Go's math.Exp uses it). Each computes, lane by lane, what
// its scalar function computes, in the same order of operations; where the
// scalar code branches, the vector code computes each branch the lane may
// take and selects. The tail of a slice shorter than four goes through the
// same code in a zero-padded buffer, so every element's result is the same
// bits wherever it sits. Every kernel ends with VZEROUPPER
// (archsimd.ClearAVXUpperBits): the compiler does not emit it, and with the
// upper halves of the YMM registers left dirty the legacy-SSE scalar code
// that runs next (Go's scalar float64 code, math.Exp's assembly) ran 5×
// slower on this machine.

// vectorised reports whether this CPU runs the vector block kernels.
var vectorised = archsimd.X86.AVX2() && archsimd.X86.FMA()

func init() {
	if vectorised {
		kernels = blockKernels{
			exp:             expBlock,
			log:             logBlock,
			tanh:            tanhBlock,
			sigmoid:         sigmoidBlock,
			softplus:        softplusBlock,
			softplusSigmoid: softplusSigmoidBlock,
		}
	}
}

type (
	quad     = archsimd.Float64x4
	quadBits = archsimd.Uint64x4
)

// splat returns a vector with x in every lane.
func splat(x float64) quad { return archsimd.BroadcastFloat64x4(x) }

// splatBits returns a vector with the float64 of bit pattern b in every lane.
func splatBits(b uint64) quadBits { return archsimd.BroadcastUint64x4(b) }

// mapBlock sets dst[i] = f(src[i]) four lanes at a time, the tail through a
// zero-padded buffer.
func mapBlock(dst, src []float64, f func(quad) quad) {
	dst = dst[:len(src)]
	n := len(src) &^ 3
	for i := 0; i < n; i += 4 {
		f(archsimd.LoadFloat64x4Slice(src[i:])).StoreSlice(dst[i:])
	}
	if n < len(src) {
		var buf [4]float64
		copy(buf[:], src[n:])
		f(archsimd.LoadFloat64x4(&buf)).Store(&buf)
		copy(dst[n:], buf[:])
	}
	archsimd.ClearAVXUpperBits()
}

func expBlock(dst, src []float64)      { mapBlock(dst, src, expVec) }
func logBlock(dst, src []float64)      { mapBlock(dst, src, logVec) }
func tanhBlock(dst, src []float64)     { mapBlock(dst, src, tanhVec) }
func sigmoidBlock(dst, src []float64)  { mapBlock(dst, src, sigmoidVec) }
func softplusBlock(dst, src []float64) { mapBlock(dst, src, softplusVec) }

func softplusSigmoidBlock(sp, sig, src []float64) {
	sp, sig = sp[:len(src)], sig[:len(src)]
	n := len(src) &^ 3
	for i := 0; i < n; i += 4 {
		s, g := softplusSigmoidVec(archsimd.LoadFloat64x4Slice(src[i:]))
		s.StoreSlice(sp[i:])
		g.StoreSlice(sig[i:])
	}
	if n < len(src) {
		var in, outSp, outSig [4]float64
		copy(in[:], src[n:])
		s, g := softplusSigmoidVec(archsimd.LoadFloat64x4(&in))
		s.Store(&outSp)
		g.Store(&outSig)
		copy(sp[n:], outSp[:])
		copy(sig[n:], outSig[:])
	}
	archsimd.ClearAVXUpperBits()
}

// expVec is math.Exp on amd64 with FMA: the assembly archExp of
// math/exp_amd64.s (Shibata's method), its special cases, its ldexp and its
// denormal path, lane by lane.
func expVec(x quad) quad {
	const (
		log2e    = 1.4426950408889634073599246810018920
		ln2U     = 0.69314718055966295651160180568695068359375
		ln2L     = 0.28235290563031577122588448175013436025525412068e-12
		overflow = 7.09782712893384e+02
	)
	// n = round-to-even(x·log2e), as CVTSD2SL rounds; r = (x - n·ln2U -
	// n·ln2L)/16, each product fused with its subtraction.
	n := x.Mul(splat(log2e)).RoundToEven()
	r := n.MulAdd(splat(-ln2U), x)
	r = n.MulAdd(splat(-ln2L), r)
	r = r.Mul(splat(0.0625))
	// Taylor series of e^r - 1, then squared back four times:
	// e^2r - 1 = y·(y+2).
	p := splat(2.4801587301587301587e-5).MulAdd(r, splat(1.9841269841269841270e-4))
	p = p.MulAdd(r, splat(1.3888888888888888889e-3))
	p = p.MulAdd(r, splat(8.3333333333333333333e-3))
	p = p.MulAdd(r, splat(4.1666666666666666667e-2))
	p = p.MulAdd(r, splat(1.6666666666666666667e-1))
	p = p.MulAdd(r, splat(0.5))
	p = p.MulAdd(r, splat(1))
	two := splat(2)
	y := r.Mul(p)
	y = y.Mul(y.Add(two))
	y = y.Mul(y.Add(two))
	y = y.Mul(y.Add(two))
	y = y.MulAdd(y.Add(two), splat(1))
	// y·2^n: biased exponent b = n + 1023; for b ≤ 0 (a denormal result)
	// y·2^(n+1022)·2^-1022, so that only the last product rounds.
	b := n.Add(splat(1023))
	denormal := b.LessEqual(splat(0))
	e1 := b.Add(splat(1022)).Merge(b, denormal)
	s2 := splat(0x1p-1022).Merge(splat(1), denormal)
	y = y.Mul(pow2(e1)).Mul(s2)
	// Out of range (n ≥ 1024 or x above the threshold: +Inf, as +Inf
	// itself; b < -52 or x = -Inf: 0), and NaN returns itself.
	inf := splat(posInf)
	y = inf.Merge(y, b.GreaterEqual(splat(2047)).Or(x.Greater(splat(overflow))))
	y = y.Masked(b.GreaterEqual(splat(-52)))
	return x.Merge(y, x.IsNaN())
}

// posInf is +Inf (math.Inf is not a constant).
var posInf = math.Inf(1)

// pow2 returns 2^(e-1023) for integral e in [1, 2046]: e placed in the
// exponent field. e + 2^52 has e in its low mantissa bits; shifting left by
// 52 moves them to the exponent and drops the rest.
func pow2(e quad) quad {
	return e.Add(splat(0x1p52)).AsUint64x4().ShiftAllLeft(52).AsFloat64x4()
}

// logVec is math.Log on amd64: the assembly archLog of math/log_amd64.s
// (FreeBSD's algorithm with its frexp in integer operations), lane by lane.
// Like it, it reads a subnormal's exponent field as if the number were
// normal (so its results for subnormals are those of archLog, not log(x)).
func logVec(x quad) quad {
	const (
		hSqrt2 = 7.07106781186547524401e-01
		ln2Hi  = 6.93147180369123816490e-01
		ln2Lo  = 1.90821492927058770002e-10
		l1     = 6.666666666666735130e-01
		l2     = 3.999999999940941908e-01
		l3     = 2.857142874366239149e-01
		l4     = 2.222219843214978396e-01
		l5     = 1.818357216161805012e-01
		l6     = 1.531383769920937332e-01
		l7     = 1.479819860511658591e-01
	)
	xb := x.AsUint64x4()
	// f1 in [0.5, 1) and k with x = f1·2^k (exponent field - 1022,
	// converted exactly: the field's bits in the mantissa of 2^52).
	f1 := xb.And(splatBits(0x000FFFFFFFFFFFFF)).Or(splatBits(0x3FE0000000000000)).AsFloat64x4()
	field := xb.ShiftAllRight(52).And(splatBits(0x7FF))
	k := field.Or(splatBits(0x4330000000000000)).AsFloat64x4().Sub(splat(0x1p52 + 1022))
	// if f1 ≤ √2/2 { k--; f1 *= 2 } (the assembly's CMPSD is not-less-than)
	one := splat(1)
	low := one.Masked(f1.LessEqual(splat(hSqrt2)))
	k = k.Sub(low)
	f1 = f1.Mul(low.Add(one))
	f := f1.Sub(one)
	s := f.Div(splat(2).Add(f))
	s2 := s.Mul(s)
	s4 := s2.Mul(s2)
	t1 := s2.Mul(splat(l7).Mul(s4).Add(splat(l5)).Mul(s4).Add(splat(l3)).Mul(s4).Add(splat(l1)))
	t2 := s4.Mul(splat(l6).Mul(s4).Add(splat(l4)).Mul(s4).Add(splat(l2)))
	R := t1.Add(t2)
	hfsq := splat(0.5).Mul(f).Mul(f)
	// k·ln2Hi - ((hfsq - (s·(hfsq+R) + k·ln2Lo)) - f)
	y := hfsq.Sub(s.Mul(R.Add(hfsq)).Add(k.Mul(splat(ln2Lo)))).Sub(f)
	y = k.Mul(splat(ln2Hi)).Sub(y)
	// +Inf and +NaN return themselves; any negative (sign bit set, -NaN
	// too) the NaN 0x7FF8000000000001; ±0 -Inf.
	y = x.Merge(y, x.IsNaN().Or(x.Equal(splat(posInf))))
	y = quadFromBits(0x7FF8000000000001).Merge(y, xb.AsInt64x4().Less(archsimd.BroadcastInt64x4(0)))
	return splat(-posInf).Merge(y, x.Equal(splat(0)))
}

// quadFromBits returns a vector with the float64 of bit pattern b in
// every lane.
func quadFromBits(b uint64) quad { return splatBits(b).AsFloat64x4() }

// tanhVec is math.Tanh (portable Go, with math.Exp for |x| ≥ 0.625), lane by
// lane.
func tanhVec(x quad) quad {
	const (
		maxLog = 8.8029691931113054295988e+01
		p0     = -9.64399179425052238628e-1
		p1     = -9.92877231001918586564e1
		p2     = -1.61468768441708447952e3
		q0     = 1.12811678491632931402e2
		q1     = 2.23548839060100448583e3
		q2     = 4.84406305325125486048e3
	)
	z := abs(x)
	negative := x.Less(splat(0))
	// |x| ≥ 0.625: 1 - 2/(e^2|x| + 1), negated for x < 0.
	one := splat(1)
	e := expVec(z.Add(z))
	mid := one.Sub(splat(2).Div(e.Add(one)))
	mid = neg(mid).Merge(mid, negative)
	// |x| < 0.625: x + x·s·P(s)/Q(s), s = x²; x itself for ±0.
	s := x.Mul(x)
	P := splat(p0).Mul(s).Add(splat(p1)).Mul(s).Add(splat(p2))
	Q := s.Add(splat(q0)).Mul(s).Add(splat(q1)).Mul(s).Add(splat(q2))
	small := x.Add(x.Mul(s).Mul(P).Div(Q))
	small = x.Merge(small, x.Equal(splat(0)))
	// |x| > maxLog/2: ±1.
	big := neg(one).Merge(one, negative)
	y := mid.Merge(small, z.GreaterEqual(splat(0.625)))
	return big.Merge(y, z.Greater(splat(0.5*maxLog)))
}

// sigmoidVec is Sigmoid, lane by lane: e = e^-|x| (e^-x for x ≥ 0, e^x
// otherwise), then 1/(1+e) for x ≥ 0 and e/(1+e) otherwise.
func sigmoidVec(x quad) quad {
	return sigmoidOf(x, expVec(neg(abs(x))))
}

// sigmoidOf returns Sigmoid(x) from e = e^-|x|.
func sigmoidOf(x, e quad) quad {
	one := splat(1)
	d := one.Add(e)
	return one.Div(d).Merge(e.Div(d), x.GreaterEqual(splat(0)))
}

// softplusVec is Softplus, lane by lane: max(x, 0) + log1p(e^-|x|).
func softplusVec(x quad) quad {
	return softplusOf(x, expVec(neg(abs(x))))
}

// softplusSigmoidVec is SoftplusSigmoid, lane by lane, from one e^-|x|.
func softplusSigmoidVec(x quad) (softplus, sigmoid quad) {
	e := expVec(neg(abs(x)))
	return softplusOf(x, e), sigmoidOf(x, e)
}

// softplusOf returns Softplus(x) from e = e^-|x|: math.Max(x, 0) +
// math.Log1p(e). For NaN x, e is NaN and so is the sum.
func softplusOf(x, e quad) quad {
	return x.Masked(x.Greater(splat(0))).Add(log1pUnit(e))
}

// log1pUnit is math.Log1p (portable Go) for u in [0, 1] or NaN, lane by
// lane: the branches of log1p that such a u can take.
func log1pUnit(u quad) quad {
	const (
		sqrt2M1  = 4.142135623730950488017e-01
		small    = 1.0 / (1 << 29)
		tiny     = 1.0 / (1 << 54)
		ln2Hi    = 6.93147180369123816490e-01
		ln2Lo    = 1.90821492927058770002e-10
		lp1      = 6.666666666666735130e-01
		lp2      = 3.999999999940941908e-01
		lp3      = 2.857142874366239149e-01
		lp4      = 2.222219843214978396e-01
		lp5      = 1.818357216161805012e-01
		lp6      = 1.531383769920937332e-01
		lp7      = 1.479819860511658591e-01
		sqrt2Man = 0x0006a09e667f3bcd // the mantissa field of √2
	)
	one := splat(1)
	half := splat(0.5)
	// u ≥ √2-1 ("big"): up = 1+u, in [√2-ε, 2], k its exponent (1 if up =
	// 2, else 0); correction c = (k > 0 ? 1-(up-u) : u-(up-1)) / up. up
	// normalised: below √2's mantissa, f = up - 1 (0 for up = 2); else k =
	// 1 and f = up/2 - 1.
	up := one.Add(u)
	upIsTwo := up.Equal(splat(2))
	c := one.Sub(up.Sub(u)).Merge(u.Sub(up.Sub(one)), upIsTwo).Div(up)
	mant := up.AsUint64x4().And(splatBits(0x000fffffffffffff))
	halved := mant.AsInt64x4().Greater(archsimd.BroadcastInt64x4(sqrt2Man - 1))
	fBig := mant.Or(splatBits(0x3fe0000000000000)).AsFloat64x4().Merge(
		mant.Or(splatBits(0x3ff0000000000000)).AsFloat64x4(), halved).Sub(one)
	isBig := u.GreaterEqual(splat(sqrt2M1))
	kOne := isBig.And(halved.Or(upIsTwo))
	// log1p's iu after normalising is 0 (its |f| < 2^-20 case) when up = 2
	// or, halved, when up's mantissa is within 3 of 2^52.
	iuZero := upIsTwo.Or(mant.AsInt64x4().Greater(archsimd.BroadcastInt64x4(0x0010000000000000 - 4)))
	// u < √2-1: k = 0, f = u.
	f := fBig.Merge(u, isBig)
	hfsq := half.Mul(f).Mul(f)
	s := f.Div(splat(2).Add(f))
	z := s.Mul(s)
	R := z.Mul(splat(lp7))
	for _, c := range [...]float64{lp6, lp5, lp4, lp3, lp2, lp1} {
		R = z.Mul(splat(c).Add(R))
	}
	// k = 0: f - (hfsq - s·(hfsq+R)).
	sHR := s.Mul(hfsq.Add(R))
	y := f.Sub(hfsq.Sub(sHR))
	// k = 1: ln2Hi - ((hfsq - (s·(hfsq+R) + (ln2Lo + c))) - f), or for
	// iu = 0: ln2Hi + (c + ln2Lo) if f = 0 (up = 2), else with R =
	// hfsq·(1 - ⅔f), ln2Hi - ((R - (ln2Lo + c)) - f).
	lo := splat(ln2Lo).Add(c)
	hi := splat(ln2Hi)
	yOne := hi.Sub(hfsq.Sub(sHR.Add(lo)).Sub(f))
	rTiny := hfsq.Mul(one.Sub(splat(0.66666666666666666).Mul(f)))
	yTiny := hi.Sub(rTiny.Sub(lo).Sub(f))
	yTiny = hi.Add(c.Add(splat(ln2Lo))).Merge(yTiny, upIsTwo)
	yOne = yTiny.Merge(yOne, iuZero)
	y = yOne.Merge(y, kOne)
	// |u| < 2^-29: u - u·u·0.5; |u| < 2^-54: u.
	y = u.Sub(u.Mul(u).Mul(half)).Merge(y, u.Less(splat(small)))
	return u.Merge(y, u.Less(splat(tiny)))
}

// abs returns |x| lane by lane (the sign bit cleared).
func abs(x quad) quad {
	return x.AsUint64x4().And(splatBits(0x7FFFFFFFFFFFFFFF)).AsFloat64x4()
}

// neg returns -x lane by lane (the sign bit flipped).
func neg(x quad) quad {
	return x.AsUint64x4().Xor(splatBits(0x8000000000000000)).AsFloat64x4()
}
