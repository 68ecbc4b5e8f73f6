package token

import "testing"

func TestFilePositions(t *testing.T) {
	src := []byte("SigninLogs\n| where x\r\n| take 1")
	f := NewFile("q.kql", src)
	tests := []struct {
		off       int
		line, col int
	}{
		{0, 1, 1}, {9, 1, 10}, {11, 2, 1}, {13, 2, 3}, {22, 3, 1}, {len(src), 3, 9},
	}
	for _, tc := range tests {
		p := f.Position(f.Pos(tc.off))
		if p.Line != tc.line || p.Column != tc.col || p.Filename != "q.kql" || p.Offset != tc.off {
			t.Errorf("offset %d -> %+v, want %d:%d", tc.off, p, tc.line, tc.col)
		}
	}
	if got := f.Line(2); got != "| where x" {
		t.Errorf("Line(2) = %q (the \\r must go)", got)
	}
	if f.Line(0) != "" || f.Line(9) != "" {
		t.Error("lines out of range must be empty")
	}
	if f.Position(NoPos).IsValid() || f.Position(NoPos).String() != "-" {
		t.Error("NoPos must be invalid and print as -")
	}
	if s := f.Position(f.Pos(13)).String(); s != "q.kql:2:3" {
		t.Errorf("String = %q", s)
	}
}

func TestTokenStrings(t *testing.T) {
	for tok, want := range map[Token]string{PIPE: "|", EQTILDE: "=~", IDENT: "IDENT", Token(999): "token(999)"} {
		if tok.String() != want {
			t.Errorf("%d.String() = %q, want %q", tok, tok.String(), want)
		}
	}
	if !IDENT.IsLiteral() || PIPE.IsLiteral() || !PIPE.IsOperator() {
		t.Error("IsLiteral/IsOperator")
	}
}
