// Package bench is gradgen's benchmark suite: eight losses (bench.yaml),
// their generated gradients (bench_grad.go), expert hand-written gonum
// implementations of the same functions (hand.go), and tests and benchmarks
// comparing them (bench_test.go). All float64.
//
//	case          f                                         wrt     sizes
//	B1Bilinear    a' X b                                    X       m = n ∈ {16, 128, 1024}
//	B2ExpMix      a' exp(X b)                               X       m = n ∈ {16, 128, 1024}
//	B3QuadTrace   tr(W' A W)                                W       A n×n, W n×k, n ∈ {16, 128, 1024}, k = max(4, n/4)
//	B4Sandwich    tr(B' X' C X B)                           X       X m×n, B n×p, C m×m, m = n = p ∈ {16, 128, 512}; m, n, p = 512, 64, 8
//	B5LogReg      sum(softplus(-y .* (X w))) + λ/2 w' w     w       (n, d) ∈ {(64, 16), (4096, 128), (65536, 256)}
//	B6GaussNLL    logdet(S) + tr(inv(S) C), S, C spd        S       n ∈ {16, 128, 512}
//	B7MLP         0.5 sum((tanh(X W1) W2 - Y) .^ 2)         W1, W2  (n, d, h, o) ∈ {(32, 16, 32, 4), (1024, 256, 256, 10)}
//	B8Softmax     sum(logsumexp(X W + b', 2)) - sum(Y .* (X W + b'))
//	                                                        W, b    X n×d, Y n×k one-hot, (n, d, k) ∈ {(64, 16, 4), (4096, 128, 10), (1024, 64, 256)}
//
// Benchmarks are named Benchmark<case>/<size>/<variant>, the size as
// "n=1024" or "n=4096,d=128" and the variant one of gen-F, gen-FGrad,
// hand-FGrad, hand-F and, at the smallest size, fd-grad (central finite
// differences of the generated F with gonum/diff/fd). The Gemm-bound cases
// (B3, B4, B7) also report GFLOP/s and flop/op, counting the product flops
// of the hand-written code, and BenchmarkGemmReference/n=… times a square
// blas64.Gemm of the same flop count as each of them at its largest size.
package bench

//go:generate go tool gradgen bench.yaml
