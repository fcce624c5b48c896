package emit

import (
	"testing"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
)

// TestRowParallelSumsOnly: a loop that adds into f and also assigns or
// scales f is no sum; rowParallel must keep it one loop (partLoop would
// print every update of f as fPart += …).
func TestRowParallelSumsOnly(t *testing.T) {
	n := derive.Dim{Name: "n"}
	i, j := plan.NewValue("i", plan.Int, plan.Index), plan.NewValue("j", plan.Int, plan.Index)
	nv := plan.NewValue("n", plan.Int, plan.Local)
	x := &plan.Value{Name: "X", Kind: plan.Matrix, Owner: plan.Input, Shape: derive.Square(n)}
	f := plan.NewValue("f", plan.Scalar, plan.Local)
	for _, op := range []string{"=", "*=", "-="} {
		l := &plan.Loop{Shape: derive.Square(n), I: i, J: j, Rows: plan.Ref{V: nv}, Cols: plan.Ref{V: nv}, Body: []plan.Step{
			&plan.Set{To: plan.Ref{V: f}, Op: "+=", Value: plan.At{V: x, I: plan.Ref{V: i}, J: plan.Ref{V: j}}},
			&plan.Set{To: plan.Ref{V: f}, Op: op, Value: plan.Lit(2)},
		}}
		if rowParallel(l) {
			t.Errorf("f += X[i, j]; f %s 2: rowParallel cuts it into parts, and partLoop prints fPart += 2", op)
		}
	}
}
