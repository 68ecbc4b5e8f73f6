//go:build unix

package workspace

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only instead of copying it onto the heap: the
// pages are the kernel's page cache, the Go heap (and so the garbage
// collector's goal) never holds the raw text, and evict lets the readers
// drop pages they are done with so resident memory stays near the size of
// the parsed table rather than file plus table.
//
// The evictor is only for a mapping: a file read into memory instead (an
// empty or special file, or a file system without mmap) gets the zero
// evictor, since dropping pages of heap memory would zero them.
func mapFile(path string) (data []byte, ev evictor, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, evictor{}, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, evictor{}, nil, err
	}
	size := st.Size()
	if size == 0 || size != int64(int(size)) || !st.Mode().IsRegular() {
		data, err := os.ReadFile(path)
		return data, evictor{}, func() {}, err
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		data, err := os.ReadFile(path)
		return data, evictor{}, func() {}, err
	}
	return data, evictor{mapped: data}, func() { _ = syscall.Munmap(data) }, nil
}

const (
	pageSize = 4096
	// madvPopulateRead (Linux 5.14) maps a range's pages in one call
	// instead of one fault per page; older kernels refuse it harmlessly.
	madvPopulateRead = 22
)

// evictor drops and prefetches pages of a mapped file. The zero value
// (a heap buffer) does nothing.
type evictor struct {
	mapped []byte
	base   int // offset in mapped of the reader's offset 0 (after a BOM)
}

// skip returns an evictor whose offsets start n bytes later.
func (e evictor) skip(n int) evictor { e.base += n; return e }

// evict tells the kernel that the pages wholly inside mapped[lo:hi] are
// not needed now. For a private read-only file mapping this only unmaps
// them: touching them again faults the same bytes back in from the page
// cache, so it is safe even while a neighbouring chunk reads a shared page.
func (e evictor) evict(lo, hi int) {
	if e.mapped == nil {
		return
	}
	lo = (e.base + lo + pageSize - 1) &^ (pageSize - 1)
	hi = (e.base + hi) &^ (pageSize - 1)
	if hi > lo {
		_ = syscall.Madvise(e.mapped[lo:hi], syscall.MADV_DONTNEED)
	}
}

// populate maps the pages of mapped[lo:hi] ahead of a sequential read.
func (e evictor) populate(lo, hi int) {
	if e.mapped == nil {
		return
	}
	lo = (e.base + lo) &^ (pageSize - 1)
	hi += e.base
	if hi > lo {
		_ = syscall.Madvise(e.mapped[lo:hi], madvPopulateRead)
	}
}
