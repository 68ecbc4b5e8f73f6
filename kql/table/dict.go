package table

// The dictionary policy, shared by the loader (which codes string columns
// as it parses) and the executor (which codes the others on first use):
// they must reach the same verdict on a column, since the loader records
// its "no" in Column.NoDict and the executor then does not try again.
const (
	// DictRatio: a column with more than 1/DictRatio of its values
	// distinct gains nothing from codes.
	DictRatio = 4
	// DictMaxSize bounds a dictionary's distinct values.
	DictMaxSize = 1 << 22
	// DictProbe is the row (or lookup) count at which the early verdict
	// is given, on the values met since DictProbe/2.
	DictProbe = 1 << 16
)

// DictLimit is the most distinct values a dictionary of rows values may
// hold before it stops paying.
func DictLimit(rows int) int { return min(max(rows/DictRatio, 1), DictMaxSize) }

// StillMostlyNew is the early verdict against codes: of the last lookups
// values met, more than three in four were new ones, as ids and hashes stay
// all along. Half distinct by DictProbe is no verdict: 100k users in 10M
// rows are, and a dictionary of 1% of the rows pays.
func StillMostlyNew(newValues, lookups int) bool { return newValues*4 > 3*lookups }
