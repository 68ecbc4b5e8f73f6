package workspace

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// watchlistMeta is watchlists/Alias.meta.json.
type watchlistMeta struct {
	Alias     string `json:"alias"`
	SearchKey string `json:"searchKey"`
}

// Watchlists returns the aliases of the watchlists in watchlists/, sorted.
func (w *Workspace) Watchlists() []string {
	des, err := os.ReadDir(filepath.Join(w.Dir, "watchlists"))
	if err != nil {
		return nil
	}
	var out []string
	for _, de := range des {
		if n := de.Name(); !de.IsDir() && strings.HasSuffix(n, ".csv") && !strings.HasPrefix(n, ".") {
			out = append(out, strings.TrimSuffix(n, ".csv"))
		}
	}
	sort.Strings(out)
	return out
}

// Watchlist returns watchlists/Alias.csv in the shape Sentinel's
// _GetWatchlist('Alias') has: _DTItemId, LastUpdatedTimeUTC, SearchKey,
// WatchlistItem (a bag of the row's fields), then the CSV's columns. All
// watchlist values are strings, as Sentinel stores them. SearchKey is the
// column named by Alias.meta.json's searchKey, else the first column. The
// alias matches exactly, else ignoring case. The result is cached.
func (w *Workspace) Watchlist(alias string) (*table.Table, error) {
	w.mu.Lock()
	if t, ok := w.watches[alias]; ok {
		w.mu.Unlock()
		return t, nil
	}
	w.mu.Unlock()

	file := ""
	for _, a := range w.Watchlists() {
		if a == alias {
			file = a
			break
		}
		if file == "" && strings.EqualFold(a, alias) {
			file = a
		}
	}
	if file == "" {
		return nil, fmt.Errorf("workspace %s: no watchlist %q (watchlists/%s.csv)", w.Name, alias, alias)
	}
	dir := filepath.Join(w.Dir, "watchlists")
	path := filepath.Join(dir, file+".csv")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: watchlist %s: %w", w.Name, alias, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	src := "watchlists/" + file + ".csv"

	// Every column is a string: read the header to declare them so.
	hs := &csvScanner{data: trimBOM(data), line: 1}
	header, _, ok := hs.next()
	if !ok {
		return nil, fmt.Errorf("%s: empty file: a watchlist needs a header row", src)
	}
	var schema types.Schema
	for _, h := range header {
		schema = append(schema, types.Column{Name: string(trimSpace(h)), Type: types.String})
	}
	o := w.readOptions()
	o.workers = 1
	items, _, err := readCSV(context.Background(), data, src, file, schema, o)
	if err != nil {
		return nil, err
	}

	key := schema[0].Name
	metaFile := filepath.Join(dir, file+".meta.json")
	if mb, err := os.ReadFile(metaFile); err == nil {
		var m watchlistMeta
		if err := json.Unmarshal(mb, &m); err != nil {
			return nil, fmt.Errorf("watchlists/%s.meta.json: %v", file, err)
		}
		if m.SearchKey != "" {
			if schema.Index(m.SearchKey) < 0 {
				return nil, fmt.Errorf("watchlists/%s.meta.json: searchKey %q is not a column of %s (columns: %s)",
					file, m.SearchKey, src, schema)
			}
			key = m.SearchKey
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	n := items.Rows()
	ids := table.NewColumn("_DTItemId", types.String, n)
	updated := table.NewColumn("LastUpdatedTimeUTC", types.DateTime, n)
	search := table.NewColumn("SearchKey", types.String, n)
	bags := table.NewColumn("WatchlistItem", types.Dynamic, n)
	keyCol := items.Column(key)
	mtime := types.TimeToTicks(st.ModTime().UTC())
	for i := 0; i < n; i++ {
		ids.Strs = append(ids.Strs, itemID(file, i))
		updated.Ints = append(updated.Ints, mtime)
		search.Strs = append(search.Strs, keyCol.Strs[i])
		bag := types.NewBag()
		for _, c := range items.Columns {
			bag.Set(c.Name, c.Strs[i])
		}
		bags.Dyns = append(bags.Dyns, bag)
	}
	t := &table.Table{Name: file, Columns: []*table.Column{ids, updated, search, bags}}
	for _, c := range items.Columns {
		if t.Column(c.Name) == nil { // a CSV column named SearchKey stays in WatchlistItem only
			t.Columns = append(t.Columns, c)
		}
	}
	w.mu.Lock()
	w.watches[alias] = t
	w.mu.Unlock()
	return t, nil
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// itemID is a stable GUID per watchlist row, standing in for the id
// Sentinel gives each item.
func itemID(alias string, row int) string {
	h := sha1.Sum([]byte(fmt.Sprintf("%s/%d", alias, row)))
	var g [16]byte
	copy(g[:], h[:16])
	g[6] = g[6]&0x0f | 0x50 // version 5 layout
	g[8] = g[8]&0x3f | 0x80
	return string(formatUUID(g[:]))
}
