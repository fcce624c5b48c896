package oracle

import (
	"regexp"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestGeneratorCoversLanguage checks that the functions TestOracle checks
// by default (the first 1,500 of seed 1) call every function a spec may
// call: the generator probes derive's table, so a new operator is drawn
// with no edit here, and this test fails if one is not (say, its argument
// shapes are ones the generator never draws).
func TestGeneratorCoversLanguage(t *testing.T) {
	c := &Campaign{N: 1500, Seed: 1}
	call := map[string]*regexp.Regexp{}
	for _, name := range derive.FunctionNames() {
		call[name] = regexp.MustCompile(`\b` + name + `\(`)
	}
	calls := map[string]int{}
	for _, fc := range c.Cases() {
		text := fc.YAML()
		for name, re := range call {
			if re.MatchString(text) {
				calls[name]++
			}
		}
	}
	for _, name := range derive.FunctionNames() {
		if calls[name] == 0 {
			t.Errorf("no function of the default campaign calls %s(…)", name)
		}
	}
	t.Logf("functions calling each name: %v", calls)
}
