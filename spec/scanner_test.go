package spec

import (
	"fmt"
	"strings"
	"testing"
)

// scanAll scans text to the end, printing each token as lit@offset (EOF as
// EOF@offset), or the error as error@offset: message.
func scanAll(text string) string {
	s := &scanner{text: text}
	var out []string
	for {
		tok, err := s.next()
		switch {
		case err != nil:
			return strings.Join(append(out, fmt.Sprintf("error@%d: %s", err.off, err.msg)), " ")
		case tok.tok == EOF:
			return strings.Join(append(out, fmt.Sprintf("EOF@%d", tok.off)), " ")
		}
		out = append(out, fmt.Sprintf("%s@%d", tok.lit, tok.off))
	}
}

func TestScanner(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", "EOF@0"},
		{" \t\r\n", "EOF@0"},
		{"x", "x@0 EOF@1"},
		{"a + b\n", "a@0 +@2 b@4 EOF@5"},
		{"+-*/^'(),", "+@0 -@1 *@2 /@3 ^@4 '@5 (@6 )@7 ,@8 EOF@9"},
		{".* ./ .^", ".*@0 ./@3 .^@6 EOF@8"},
		{"A.*B", "A@0 .*@1 B@3 EOF@4"},
		{"2 0.5 .5 1e-3 2.5E+10 7e3", "2@0 0.5@2 .5@6 1e-3@9 2.5E+10@14 7e3@22 EOF@25"},
		{"2.*x", "2@0 .*@1 x@3 EOF@4"},
		{"2.^-1", "2@0 .^@1 -@3 1@4 EOF@5"},
		{"_a1 λx ö_2", "_a1@0 λx@4 ö_2@8 EOF@12"},
		{"x''", "x@0 '@1 '@2 EOF@3"},
		{"f(a,b)", "f@0 (@1 a@2 ,@3 b@4 )@5 EOF@6"},
		{"a@", "a@0 error@1: illegal character U+0040 '@'"},
		{"a\x01", "a@0 error@1: illegal character U+0001"},
		{"a ;", "a@0 error@2: illegal character U+003B ';'"},
		{"\xff", "error@0: invalid UTF-8 encoding"},
		{"a . b", `a@0 error@2: unexpected "." (the element-wise operators are .* ./ .^)`},
		{"2x", `error@1: number 2 is followed directly by "x"`},
		{"2_0", `error@1: number 2 is followed directly by "_"`},
		{"1e3λ", `error@3: number 1e3 is followed directly by "λ"`},
		{"1.5.3", `error@3: number 1.5 is followed directly by "."`},
		{"1e", "error@1: exponent of number 1e has no digits"},
		{"1E-", "error@1: exponent of number 1E- has no digits"},
		{"1.5e+ 3", "error@3: exponent of number 1.5e+ has no digits"},
	}
	for _, test := range tests {
		if got := scanAll(test.text); got != test.want {
			t.Errorf("scan %q:\n got %s\nwant %s", test.text, got, test.want)
		}
	}
}
