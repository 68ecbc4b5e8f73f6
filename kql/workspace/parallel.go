package workspace

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/huntbook/huntbook/kql/types"
)

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// parallel runs f(0..n-1) on up to workers goroutines, stopping early
// when ctx is done.
func parallel(ctx context.Context, n, workers int, f func(i int)) error {
	return parallelW(ctx, n, workers, func(_, i int) { f(i) })
}

// parallelW is parallel that also tells f which worker (0..workers-1) runs
// it, for per-worker state.
func parallelW(ctx context.Context, n, workers int, f func(w, i int)) error {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			f(0, i)
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(w, i)
			}
		}(w)
	}
	wg.Wait()
	return ctx.Err()
}

// appendDateTime writes ticks as FormatDateTime does, without allocating.
func appendDateTime(buf []byte, ticks int64) []byte {
	days := ticks / types.Day
	rem := ticks % types.Day
	if rem < 0 {
		rem += types.Day
		days--
	}
	y, m, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		return append(buf, types.FormatDateTime(ticks)...)
	}
	buf = append(buf, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), 'T')
	h, mi, s, frac := rem/types.Hour, rem%types.Hour/types.Minute, rem%types.Minute/types.Second, rem%types.Second
	buf = append(buf, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10))
	if frac != 0 {
		var f [8]byte
		f[0] = '.'
		for k := 7; k >= 1; k-- {
			f[k] = byte('0' + frac%10)
			frac /= 10
		}
		n := 8
		for f[n-1] == '0' {
			n--
		}
		buf = append(buf, f[:n]...)
	}
	return append(buf, 'Z')
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return
}
