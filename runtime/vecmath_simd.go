//go:build goexperiment.simd && amd64

package runtime

//go:generate go run gen_vecmath8.go

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

// wideVectors reports whether this CPU also has AVX-512 (F, CD, BW, DQ and
// VL, as archsimd.X86.AVX512 requires): the block kernels
// then run eight lanes at a time (vecmath_simd8.go) and the vector Gemm
// sixteen columns (gemm_simd.go), each lane and entry computing what it
// computes in four.
var wideVectors = vectorised && archsimd.X86.AVX512()

func init() {
	switch {
	case wideVectors:
		kernels = blockKernels{
			exp:             expBlock8,
			log:             logBlock8,
			tanh:            tanhBlock8,
			sigmoid:         sigmoidBlock8,
			softplus:        softplusBlock8,
			softplusSigmoid: softplusSigmoidBlock8,
			sigmoidDeriv:    sigmoidDerivBlock8,
			tanhDeriv:       tanhDerivBlock8,
			tanhTanhDeriv:   tanhTanhDerivBlock8,
			outer:           outerRowsVec,
			outerMinCols:    outerVecMinCols,
		}
	case vectorised:
		kernels = quadKernels
	}
}

// quadKernels are the block kernels in four lanes.
var quadKernels = blockKernels{
	exp:             expBlock,
	log:             logBlock,
	tanh:            tanhBlock,
	sigmoid:         sigmoidBlock,
	softplus:        softplusBlock,
	softplusSigmoid: softplusSigmoidBlock,
	sigmoidDeriv:    sigmoidDerivBlock,
	tanhDeriv:       tanhDerivBlock,
	tanhTanhDeriv:   tanhTanhDerivBlock,
	outer:           outerRowsVec,
	outerMinCols:    outerVecMinCols,
}

// expInPlace sets b[i] = math.Exp(b[i]) by the vector exp, called directly
// so that a caller's stack buffer stays on its stack (a call through
// kernels' function values moves it to the heap). Callers check vectorised
// first.
func expInPlace(b []float64) {
	if wideVectors {
		mapBlock8(b, b, expVec8)
		return
	}
	mapBlock(b, b, expVec)
}

type (
	quad     = archsimd.Float64x4
	quadBits = archsimd.Uint64x4
)

// Everything below is also generated in eight lanes, for CPUs with
// AVX-512 (wideVectors), into vecmath_simd8.go by gen_vecmath8.go (go
// generate): keep it to the operations both widths have.

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

// expBlock, logBlock, tanhBlock, sigmoidBlock, softplusBlock and
// softplusSigmoidBlock are the vector implementations of ExpTo, LogTo,
// TanhTo, SigmoidTo, SoftplusTo and SoftplusSigmoidTo.
func expBlock(dst, src []float64)      { mapBlock(dst, src, expVec) }
func logBlock(dst, src []float64)      { mapBlock(dst, src, logVec) }
func tanhBlock(dst, src []float64)     { mapBlock(dst, src, tanhVec) }
func sigmoidBlock(dst, src []float64)  { mapBlock(dst, src, sigmoidVec) }
func softplusBlock(dst, src []float64) { mapBlock(dst, src, softplusVec) }

// sigmoidDerivBlock and tanhDerivBlock are the vector implementations of
// SigmoidDerivTo and TanhDerivTo.
func sigmoidDerivBlock(dst, src []float64) { mapBlock(dst, src, sigmoidDerivVec) }
func tanhDerivBlock(dst, src []float64)    { mapBlock(dst, src, tanhDerivVec) }

// softplusSigmoidBlock and tanhTanhDerivBlock are the vector
// implementations of SoftplusSigmoidTo and TanhTanhDerivTo.
func softplusSigmoidBlock(sp, sig, src []float64) { mapBlock2(sp, sig, src, softplusSigmoidVec) }
func tanhTanhDerivBlock(t, d, src []float64)      { mapBlock2(t, d, src, tanhTanhDerivVec) }

// mapBlock2 sets a[i], b[i] = f(src[i]) four lanes at a time, the tail
// through zero-padded buffers; src may be a or b itself.
func mapBlock2(a, b, src []float64, f func(quad) (quad, quad)) {
	a, b = a[:len(src)], b[:len(src)]
	n := len(src) &^ 3
	for i := 0; i < n; i += 4 {
		x, y := f(archsimd.LoadFloat64x4Slice(src[i:]))
		x.StoreSlice(a[i:])
		y.StoreSlice(b[i:])
	}
	if n < len(src) {
		var in, outA, outB [4]float64
		copy(in[:], src[n:])
		x, y := f(archsimd.LoadFloat64x4(&in))
		x.Store(&outA)
		y.Store(&outB)
		copy(a[n:], outA[:])
		copy(b[n:], outB[:])
	}
	archsimd.ClearAVXUpperBits()
}

// expVec is math.Exp on amd64 with FMA: the assembly archExp of
// math/exp_amd64.s (Shibata's method), its special cases, its ldexp and its
// denormal path, lane by lane.
func expVec(x quad) quad {
	c := &expConstants
	// n = round-to-even(x·log2e), as CVTSD2SL rounds; r = (x - n·ln2U -
	// n·ln2L)/16, each product fused with its subtraction.
	n := x.Mul(load(&c.log2e)).RoundToEven()
	r := n.MulAdd(load(&c.negLn2U), x)
	r = n.MulAdd(load(&c.negLn2L), r)
	r = r.Mul(load(&c.sixteenth))
	// Taylor series of e^r - 1, then squared back four times:
	// e^2r - 1 = y·(y+2).
	t := &c.taylor
	p := load(&t[0]).MulAdd(r, load(&t[1]))
	p = p.MulAdd(r, load(&t[2]))
	p = p.MulAdd(r, load(&t[3]))
	p = p.MulAdd(r, load(&t[4]))
	p = p.MulAdd(r, load(&t[5]))
	p = p.MulAdd(r, load(&t[6]))
	p = p.MulAdd(r, load(&t[7]))
	two, one := load(&c.two), load(&c.one)
	y := r.Mul(p)
	y = y.Mul(y.Add(two))
	y = y.Mul(y.Add(two))
	y = y.Mul(y.Add(two))
	y = y.MulAdd(y.Add(two), one)
	// y·2^n: biased exponent b = n + 1023; for b ≤ 0 (a denormal result)
	// y·2^(n+1022)·2^-1022, so that only the last product rounds.
	b := n.Add(load(&c.bias))
	denormal := b.LessEqual(load(&c.zero))
	e1 := b.Add(load(&c.denormalBias)).Merge(b, denormal)
	s2 := load(&c.minNormal).Merge(one, denormal)
	y = y.Mul(pow2(e1)).Mul(s2)
	// Out of range (n ≥ 1024 or x above the threshold: +Inf, as +Inf
	// itself; b < -52 or x = -Inf: 0), and NaN returns itself.
	y = load(&c.inf).Merge(y, b.GreaterEqual(load(&c.maxBiased)).Or(x.Greater(load(&c.overflow))))
	y = y.Masked(b.GreaterEqual(load(&c.minBiased)))
	return x.Merge(y, x.IsNaN())
}

// expConstants are expVec's constants, each in four lanes: loaded with one
// instruction, where a broadcast takes two.
var expConstants = struct {
	log2e, negLn2U, negLn2L, sixteenth, two, one, bias, zero, denormalBias,
	minNormal, two52, inf, maxBiased, overflow, minBiased lanes
	taylor [8]lanes // e^r - 1 = r·(1 + r·(1/2 + r·(1/6 + …))), highest first
}{
	log2e:        splatArray(1.4426950408889634073599246810018920),
	negLn2U:      splatArray(-0.69314718055966295651160180568695068359375),
	negLn2L:      splatArray(-0.28235290563031577122588448175013436025525412068e-12),
	sixteenth:    splatArray(0.0625),
	two:          splatArray(2),
	one:          splatArray(1),
	bias:         splatArray(1023),
	zero:         splatArray(0),
	denormalBias: splatArray(1022),
	minNormal:    splatArray(0x1p-1022),
	two52:        splatArray(0x1p52),
	inf:          splatArray(math.Inf(1)),
	maxBiased:    splatArray(2047),
	overflow:     splatArray(7.09782712893384e+02),
	minBiased:    splatArray(-52),
	taylor: [8]lanes{
		splatArray(2.4801587301587301587e-5), splatArray(1.9841269841269841270e-4),
		splatArray(1.3888888888888888889e-3), splatArray(8.3333333333333333333e-3),
		splatArray(4.1666666666666666667e-2), splatArray(1.6666666666666666667e-1),
		splatArray(0.5), splatArray(1),
	},
}

// lanes is a constant in four lanes, for load.
type lanes = [4]float64

// splatArray returns x in four lanes.
func splatArray(x float64) lanes { return lanes{x, x, x, x} }

// splatBitsArray returns the float64 of bit pattern b in four lanes.
func splatBitsArray(b uint64) lanes { return splatArray(math.Float64frombits(b)) }

// load returns the vector of four lanes.
func load(l *lanes) quad { return archsimd.LoadFloat64x4(l) }

// loadBits returns the vector of four lanes as bits.
func loadBits(l *lanes) quadBits { return load(l).AsUint64x4() }

// pow2 returns 2^(e-1023) for integral e in [1, 2046]: e placed in the
// exponent field. e + 2^52 has e in its low mantissa bits; shifting left by
// 52 moves them to the exponent and drops the rest.
func pow2(e quad) quad {
	return e.Add(load(&expConstants.two52)).AsUint64x4().ShiftAllLeft(52).AsFloat64x4()
}

// logVec is math.Log on amd64: the assembly archLog of math/log_amd64.s
// (FreeBSD's algorithm with its frexp in integer operations), lane by lane.
// Like it, it reads a subnormal's exponent field as if the number were
// normal (so its results for subnormals are those of archLog, not log(x)).
func logVec(x quad) quad {
	c := &logConstants
	xb := x.AsUint64x4()
	// f1 in [0.5, 1) and k with x = f1·2^k (exponent field - 1022,
	// converted exactly: the field's bits in the mantissa of 2^52).
	f1 := xb.And(loadBits(&c.mantissa)).Or(loadBits(&c.half)).AsFloat64x4()
	field := xb.ShiftAllRight(52).And(loadBits(&c.exponentField))
	k := field.Or(loadBits(&c.two52)).AsFloat64x4().Sub(load(&c.two52PlusBias))
	// if f1 ≤ √2/2 { k--; f1 *= 2 } (the assembly's CMPSD is not-less-than)
	one := load(&c.one)
	low := one.Masked(f1.LessEqual(load(&c.hSqrt2)))
	k = k.Sub(low)
	f1 = f1.Mul(low.Add(one))
	f := f1.Sub(one)
	s := f.Div(load(&c.two).Add(f))
	s2 := s.Mul(s)
	s4 := s2.Mul(s2)
	l := &c.l
	t1 := s2.Mul(load(&l[7]).Mul(s4).Add(load(&l[5])).Mul(s4).Add(load(&l[3])).Mul(s4).Add(load(&l[1])))
	t2 := s4.Mul(load(&l[6]).Mul(s4).Add(load(&l[4])).Mul(s4).Add(load(&l[2])))
	R := t1.Add(t2)
	hfsq := load(&c.half).Mul(f).Mul(f)
	// k·ln2Hi - ((hfsq - (s·(hfsq+R) + k·ln2Lo)) - f)
	y := hfsq.Sub(s.Mul(R.Add(hfsq)).Add(k.Mul(load(&c.ln2Lo)))).Sub(f)
	y = k.Mul(load(&c.ln2Hi)).Sub(y)
	// +Inf and +NaN return themselves; any negative (sign bit set, -NaN
	// too) the NaN 0x7FF8000000000001; ±0 -Inf.
	y = x.Merge(y, x.IsNaN().Or(x.Equal(load(&c.inf))))
	y = load(&c.nan).Merge(y, xb.AsInt64x4().Less(load(&c.zero).AsInt64x4()))
	return load(&c.negInf).Merge(y, x.Equal(load(&c.zero)))
}

// logConstants are logVec's constants, each in four lanes.
var logConstants = struct {
	mantissa, half, exponentField, two52, two52PlusBias, one, two, hSqrt2,
	ln2Hi, ln2Lo, inf, negInf, nan, zero lanes
	l [8]lanes // l[1..7]: the series in s² of log(1+f) = 2s + s·R
}{
	mantissa:      splatBitsArray(0x000FFFFFFFFFFFFF),
	half:          splatArray(0.5),
	exponentField: splatBitsArray(0x7FF),
	two52:         splatArray(0x1p52),
	two52PlusBias: splatArray(0x1p52 + 1022),
	one:           splatArray(1),
	two:           splatArray(2),
	hSqrt2:        splatArray(7.07106781186547524401e-01),
	ln2Hi:         splatArray(6.93147180369123816490e-01),
	ln2Lo:         splatArray(1.90821492927058770002e-10),
	inf:           splatArray(math.Inf(1)),
	negInf:        splatArray(math.Inf(-1)),
	nan:           splatBitsArray(0x7FF8000000000001),
	zero:          splatArray(0),
	l: [8]lanes{1: splatArray(6.666666666666735130e-01), 2: splatArray(3.999999999940941908e-01),
		3: splatArray(2.857142874366239149e-01), 4: splatArray(2.222219843214978396e-01),
		5: splatArray(1.818357216161805012e-01), 6: splatArray(1.531383769920937332e-01),
		7: splatArray(1.479819860511658591e-01)},
}

// tanhVec is math.Tanh (portable Go, with math.Exp for |x| ≥ 0.625), lane by
// lane (tanhParts).
func tanhVec(x quad) quad {
	t, _, _ := tanhParts(x)
	return t
}

// tanhTanhDerivVec is TanhTanhDeriv, lane by lane: tanh as tanhVec, and
// from its quotient q = 2/(e^2|x| + 1), q·(2 − q) for |x| ≥ 0.625;
// 1 − tanh² in one fused multiply-add below; 4e^−2|x| (2e + 2e, exact)
// where e^2|x| overflowed, so that q is 0.
func tanhTanhDerivVec(x quad) (tanh, deriv quad) {
	c := &tanhConstants
	t, q, far := tanhParts(x)
	one := load(&c.one)
	near := neg(t).MulAdd(t, one)
	d := q.Mul(load(&c.two).Sub(q)).Merge(near, far)
	over := far.And(q.Equal(load(&c.zero)))
	if over.ToBits() != 0 {
		z := abs(x)
		e := expVec(neg(z.Add(z)))
		twoE := e.Add(e)
		d = twoE.Add(twoE).Merge(d, over)
	}
	return t, d
}

// tanhDerivVec is TanhDeriv, lane by lane: tanhTanhDerivVec's derivative.
func tanhDerivVec(x quad) quad {
	_, d := tanhTanhDerivVec(x)
	return d
}

// tanhParts returns math.Tanh(x), lane by lane, with the quotient each
// lane's formula divides and the lanes of the formula for |x| ≥ 0.625
// (far): q = 2/(e^2|x| + 1) there, x·s·P(s)/Q(s) (s = x²) below. The lanes'
// dividends and divisors are chosen first, so that one division serves
// both, and a formula that no lane takes is not computed (an exp, or a
// rational function, saved). The bits are those of computing both and
// choosing: each lane's quotient is the one its own formula divides.
func tanhParts(x quad) (tanh, q quad, far archsimd.Mask64x4) {
	c := &tanhConstants
	z := abs(x)
	zero := load(&c.zero)
	one := load(&c.one)
	negative := x.Less(zero)
	far = z.GreaterEqual(load(&c.midFrom))
	lanes := far.ToBits()
	var num, den quad
	if lanes != 0 {
		// |x| ≥ 0.625: 1 - 2/(e^2|x| + 1), negated for x < 0.
		num = load(&c.two)
		den = expVec(z.Add(z)).Add(one)
	}
	if lanes != 0xF {
		// |x| < 0.625: x + x·s·P(s)/Q(s), s = x²; x itself for ±0.
		s := x.Mul(x)
		P := load(&c.p[0]).Mul(s).Add(load(&c.p[1])).Mul(s).Add(load(&c.p[2]))
		Q := s.Add(load(&c.q[0])).Mul(s).Add(load(&c.q[1])).Mul(s).Add(load(&c.q[2]))
		num = num.Merge(x.Mul(s).Mul(P), far)
		den = den.Merge(Q, far)
	}
	q = num.Div(den)
	mid := one.Sub(q)
	small := x.Merge(x.Add(q), x.Equal(zero))
	y := neg(mid).Merge(mid, negative).Merge(small, far)
	// |x| > maxLog/2: ±1.
	big := neg(one).Merge(one, negative)
	return big.Merge(y, z.Greater(load(&c.bigAbove))), q, far
}

// tanhConstants are tanhVec's constants, each in four lanes: math.Tanh's
// tanhP and tanhQ and its branch points.
var tanhConstants = struct {
	zero, one, two, midFrom, bigAbove lanes
	p, q                              [3]lanes
}{
	zero:     splatArray(0),
	one:      splatArray(1),
	two:      splatArray(2),
	midFrom:  splatArray(0.625),
	bigAbove: splatArray(0.5 * 8.8029691931113054295988e+01), // MAXLOG/2
	p: [3]lanes{splatArray(-9.64399179425052238628e-1), splatArray(-9.92877231001918586564e1),
		splatArray(-1.61468768441708447952e3)},
	q: [3]lanes{splatArray(1.12811678491632931402e2), splatArray(2.23548839060100448583e3),
		splatArray(4.84406305325125486048e3)},
}

// sigmoidVec is Sigmoid, lane by lane: e = e^-|x| (e^-x for x ≥ 0, e^x
// otherwise), then 1/(1+e) for x ≥ 0 and e/(1+e) otherwise.
func sigmoidVec(x quad) quad {
	return sigmoidOf(x, expVec(neg(abs(x))))
}

// sigmoidOf returns Sigmoid(x) from e = e^-|x|: each lane's dividend, 1
// or e, chosen first, so that one division serves both.
func sigmoidOf(x, e quad) quad {
	one := load(&signConstants.one)
	return one.Merge(e, x.GreaterEqual(load(&signConstants.zero))).Div(one.Add(e))
}

// sigmoidDerivVec is SigmoidDeriv, lane by lane: e = e^-|x|, then
// e/((1+e)(1+e)).
func sigmoidDerivVec(x quad) quad {
	e := expVec(neg(abs(x)))
	d := load(&signConstants.one).Add(e)
	return e.Div(d.Mul(d))
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
	return x.Masked(x.Greater(load(&signConstants.zero))).Add(log1pUnit(e))
}

// log1pUnit is math.Log1p (portable Go) for u in [0, 1] or NaN, lane by
// lane: the branches of log1p that such a u can take.
func log1pUnit(u quad) quad {
	c := &log1pConstants
	one := load(&c.one)
	half := load(&c.half)
	// u ≥ √2-1 ("big"): up = 1+u, in [√2-ε, 2], k its exponent (1 if up =
	// 2, else 0); correction c = (k > 0 ? 1-(up-u) : u-(up-1)) / up. up
	// normalised: below √2's mantissa, f = up - 1 (0 for up = 2); else k =
	// 1 and f = up/2 - 1.
	up := one.Add(u)
	upIsTwo := up.Equal(load(&c.two))
	corr := one.Sub(up.Sub(u)).Merge(u.Sub(up.Sub(one)), upIsTwo).Div(up)
	mant := up.AsUint64x4().And(loadBits(&c.mantissa))
	halved := mant.AsInt64x4().Greater(load(&c.belowSqrt2Mantissa).AsInt64x4())
	fBig := mant.Or(loadBits(&c.half)).AsFloat64x4().Merge(
		mant.Or(loadBits(&c.one)).AsFloat64x4(), halved).Sub(one)
	isBig := u.GreaterEqual(load(&c.sqrt2M1))
	kOne := isBig.And(halved.Or(upIsTwo))
	// log1p's iu after normalising is 0 (its |f| < 2^-20 case) when up = 2
	// or, halved, when up's mantissa is within 3 of 2^52.
	iuZero := upIsTwo.Or(mant.AsInt64x4().Greater(load(&c.nearTwoMantissa).AsInt64x4()))
	// u < √2-1: k = 0, f = u.
	f := fBig.Merge(u, isBig)
	hfsq := half.Mul(f).Mul(f)
	s := f.Div(load(&c.two).Add(f))
	z := s.Mul(s)
	lp := &c.lp
	R := z.Mul(load(&lp[7]))
	R = z.Mul(load(&lp[6]).Add(R))
	R = z.Mul(load(&lp[5]).Add(R))
	R = z.Mul(load(&lp[4]).Add(R))
	R = z.Mul(load(&lp[3]).Add(R))
	R = z.Mul(load(&lp[2]).Add(R))
	R = z.Mul(load(&lp[1]).Add(R))
	// k = 0: f - (hfsq - s·(hfsq+R)).
	sHR := s.Mul(hfsq.Add(R))
	y := f.Sub(hfsq.Sub(sHR))
	// k = 1: ln2Hi - ((hfsq - (s·(hfsq+R) + (ln2Lo + c))) - f), or for
	// iu = 0: ln2Hi + (c + ln2Lo) if f = 0 (up = 2), else with R =
	// hfsq·(1 - ⅔f), ln2Hi - ((R - (ln2Lo + c)) - f).
	ln2Lo := load(&c.ln2Lo)
	lo := ln2Lo.Add(corr)
	hi := load(&c.ln2Hi)
	yOne := hi.Sub(hfsq.Sub(sHR.Add(lo)).Sub(f))
	rTiny := hfsq.Mul(one.Sub(load(&c.twoThirds).Mul(f)))
	yTiny := hi.Sub(rTiny.Sub(lo).Sub(f))
	yTiny = hi.Add(corr.Add(ln2Lo)).Merge(yTiny, upIsTwo)
	yOne = yTiny.Merge(yOne, iuZero)
	y = yOne.Merge(y, kOne)
	// |u| < 2^-29: u - u·u·0.5; |u| < 2^-54: u.
	y = u.Sub(u.Mul(u).Mul(half)).Merge(y, u.Less(load(&c.small)))
	return u.Merge(y, u.Less(load(&c.tiny)))
}

// log1pConstants are log1pUnit's constants, each in four lanes.
var log1pConstants = struct {
	one, half, two, sqrt2M1, small, tiny, ln2Hi, ln2Lo, twoThirds, mantissa,
	belowSqrt2Mantissa, nearTwoMantissa lanes
	lp [8]lanes // lp[1..7]: Log1p's Lp1..Lp7
}{
	one:                splatArray(1),
	half:               splatArray(0.5),
	two:                splatArray(2),
	sqrt2M1:            splatArray(4.142135623730950488017e-01),
	small:              splatArray(1.0 / (1 << 29)),
	tiny:               splatArray(1.0 / (1 << 54)),
	ln2Hi:              splatArray(6.93147180369123816490e-01),
	ln2Lo:              splatArray(1.90821492927058770002e-10),
	twoThirds:          splatArray(0.66666666666666666),
	mantissa:           splatBitsArray(0x000fffffffffffff),
	belowSqrt2Mantissa: splatBitsArray(0x0006a09e667f3bcd - 1), // √2's mantissa field - 1
	nearTwoMantissa:    splatBitsArray(0x0010000000000000 - 4),
	lp: [8]lanes{1: splatArray(6.666666666666735130e-01), 2: splatArray(3.999999999940941908e-01),
		3: splatArray(2.857142874366239149e-01), 4: splatArray(2.222219843214978396e-01),
		5: splatArray(1.818357216161805012e-01), 6: splatArray(1.531383769920937332e-01),
		7: splatArray(1.479819860511658591e-01)},
}

// abs returns |x| lane by lane (the sign bit cleared).
func abs(x quad) quad {
	return x.AsUint64x4().And(loadBits(&signConstants.magnitude)).AsFloat64x4()
}

// neg returns -x lane by lane (the sign bit flipped).
func neg(x quad) quad {
	return x.AsUint64x4().Xor(loadBits(&signConstants.sign)).AsFloat64x4()
}

// signConstants are the constants of abs, neg, sigmoidOf and softplusOf,
// each in four lanes.
var signConstants = struct{ zero, one, magnitude, sign lanes }{
	zero:      splatArray(0),
	one:       splatArray(1),
	magnitude: splatBitsArray(0x7FFFFFFFFFFFFFFF),
	sign:      splatBitsArray(0x8000000000000000),
}
