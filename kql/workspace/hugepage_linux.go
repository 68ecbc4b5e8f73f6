package workspace

import (
	"syscall"
	"unsafe"
)

// hugePageSize is the size of a transparent huge page on amd64 and arm64.
const hugePageSize = 2 << 20

// adviseHuge asks the kernel to back the 2 MB-aligned interior of a large,
// freshly allocated column array with transparent huge pages. A loaded
// table's columns are written once, front to back, by the parsing workers;
// with 4 KB pages every first write to a page is a fault (a million rows
// of one string column is 4,000 of them), which in a virtual machine costs
// more than parsing the rows. Kernels with THP off or set to "never"
// ignore the advice.
func adviseHuge(p unsafe.Pointer, bytes int) {
	if bytes < 2*hugePageSize {
		return
	}
	b := unsafe.Slice((*byte)(p), bytes)
	lo := int((hugePageSize - uintptr(p)%hugePageSize) % hugePageSize)
	hi := lo + (bytes-lo)&^(hugePageSize-1)
	if hi <= lo {
		return
	}
	_ = syscall.Madvise(b[lo:hi], 14 /* MADV_HUGEPAGE */)
}
