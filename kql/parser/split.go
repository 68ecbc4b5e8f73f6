package parser

import (
	"github.com/huntbook/huntbook/kql/scanner"
	"github.com/huntbook/huntbook/kql/token"
)

// Block is one query of an editor text that holds several: its byte offset
// in the text and its text.
type Block struct {
	Offset int
	Text   string
}

// SplitBlocks splits a text the way Kusto's editors (Kusto Explorer, the
// Azure Data Explorer web UI, Log Analytics) separate queries: at blank
// lines, i.e. lines holding only white space. Blank lines inside multi-line
// ```...``` strings do not split. Blocks holding only comments are dropped.
//
// Parse itself treats blank lines as white space, as the Kusto service
// does; SplitBlocks is for callers that want the editor's "query under the
// cursor" behaviour.
func SplitBlocks(src []byte) []Block {
	var s scanner.Scanner
	s.Init(nil, src, nil)
	s.Mode = scanner.ScanComments
	var blocks []Block
	start, end := -1, 0
	code := false // the block has more than comments
	flush := func() {
		if start >= 0 && code {
			blocks = append(blocks, Block{Offset: start, Text: string(src[start:end])})
		}
		start, code = -1, false
	}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := int(pos) - 1
		if start >= 0 && hasBlankLine(src[end:off]) {
			flush()
		}
		if start < 0 {
			start = off
		}
		if tok != token.COMMENT {
			code = true
		}
		end = s.Offset()
		if tok == token.COMMENT {
			end = off + len(lit)
		}
	}
	flush()
	return blocks
}

// hasBlankLine reports whether white space gap spans an empty line.
func hasBlankLine(gap []byte) bool {
	newlines := 0
	for _, c := range gap {
		if c == '\n' {
			newlines++
			if newlines == 2 {
				return true
			}
		}
	}
	return false
}

// BlockAt returns the block that holds byte offset off (the query under
// the cursor), or false when off is in a gap between blocks.
func BlockAt(blocks []Block, off int) (Block, bool) {
	for _, b := range blocks {
		if b.Offset <= off && off <= b.Offset+len(b.Text) {
			return b, true
		}
	}
	return Block{}, false
}
