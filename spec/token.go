package spec

// Token is a lexical token of the expression language.
type Token int

// The tokens.
const (
	ILLEGAL Token = iota
	EOF

	literalBeg
	IDENT  // lambda
	NUMBER // 1e-3
	literalEnd

	operatorBeg
	ADD       // +
	SUB       // -
	MUL       // *
	QUO       // /
	EMUL      // .*
	EQUO      // ./
	POW       // ^
	EPOW      // .^
	TRANSPOSE // '
	LPAREN    // (
	RPAREN    // )
	COMMA     // ,
	operatorEnd
)

var tokens = [...]string{
	ILLEGAL:   "ILLEGAL",
	EOF:       "end of expression",
	IDENT:     "identifier",
	NUMBER:    "number",
	ADD:       "+",
	SUB:       "-",
	MUL:       "*",
	QUO:       "/",
	EMUL:      ".*",
	EQUO:      "./",
	POW:       "^",
	EPOW:      ".^",
	TRANSPOSE: "'",
	LPAREN:    "(",
	RPAREN:    ")",
	COMMA:     ",",
}

// String returns the token's spelling.
func (t Token) String() string { return tokens[t] }

// IsOperator reports whether t is an operator or delimiter.
func (t Token) IsOperator() bool { return operatorBeg < t && t < operatorEnd }

// Binary operator precedences, high to low: ^ .^ (5), unary minus (4, not a
// binary precedence), * .* ./ / (3), + - (2). Postfix ' binds tightest.
const (
	LowestPrec = 0
	UnaryPrec  = 4
)

// Precedence returns the binary precedence of t, or LowestPrec when t is
// not a binary operator.
func (t Token) Precedence() int {
	switch t {
	case POW, EPOW:
		return 5
	case MUL, QUO, EMUL, EQUO:
		return 3
	case ADD, SUB:
		return 2
	}
	return LowestPrec
}

// RightAssoc reports whether t associates to the right (^ and .^).
func (t Token) RightAssoc() bool { return t == POW || t == EPOW }
