package ueba

import (
	"runtime"
	"sync"
)

// parallelMin is the day size under which scoring stays on one goroutine
// (the sample tenant's days are a few thousand activities).
const parallelMin = 4096

// dayPlan is a day's activities resolved to account and value ids.
type dayPlan struct {
	acct []int32
	vals [][nDims]int32
}

// scoreDay scores one UTC day's activities (in time order; earlier than
// the current day counts late in it, as Score does) with up to workers
// goroutines, calling each(worker, i, account, score) for activity i from
// the goroutine that owns the account. An account's activities are scored
// in order by one goroutine, so the scores equal Score's one at a time.
// ready runs after ids are assigned, before any scoring.
func (b *Baseline) scoreDay(acts []Activity, workers int, ready func(), each func(w, i int, ai int32, s Score)) {
	if len(acts) == 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if len(acts) < parallelMin {
		workers = 1
	}
	b.enterDay(acts[0].Time)
	plan := b.plan(acts, workers)
	for _, ai := range plan.acct {
		b.activate(ai)
	}
	if ready != nil {
		ready()
	}
	if workers == 1 {
		for i := range acts {
			ai := plan.acct[i]
			each(0, i, ai, b.score(&b.serial, ai, &plan.vals[i], &acts[i]))
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for i, ai := range plan.acct {
				if int(ai)%workers != w {
					continue
				}
				each(w, i, ai, b.score(&sc, ai, &plan.vals[i], &acts[i]))
			}
		}()
	}
	wg.Wait()
}

// plan resolves accounts and values to ids: lookups of known ones run in
// parallel, then the new ones are added in activity order, so ids are
// the same as Score's one activity at a time.
func (b *Baseline) plan(acts []Activity, workers int) dayPlan {
	const miss = -2
	p := dayPlan{acct: make([]int32, len(acts)), vals: make([][nDims]int32, len(acts))}
	lookup := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a := &acts[i]
			if ai, ok := b.keys[accountKey(a.Account)]; ok {
				p.acct[i] = ai
			} else {
				p.acct[i] = miss
			}
			v := &p.vals[i]
			for d := range nDims {
				v[d] = noValue
			}
			for _, d := range sourceDims[a.Source] {
				s := a.value(d)
				if s == "" {
					continue
				}
				if id, ok := b.vals[d][s]; ok {
					v[d] = id
				} else {
					v[d] = miss
				}
			}
		}
	}
	if workers == 1 {
		lookup(0, len(acts))
	} else {
		var wg sync.WaitGroup
		chunk := (len(acts) + workers - 1) / workers
		for lo := 0; lo < len(acts); lo += chunk {
			wg.Add(1)
			go func(lo, hi int) {
				defer wg.Done()
				lookup(lo, hi)
			}(lo, min(lo+chunk, len(acts)))
		}
		wg.Wait()
	}
	for i := range acts {
		a := &acts[i]
		if p.acct[i] == miss {
			p.acct[i] = b.account(a.Account)
		}
		v := &p.vals[i]
		for _, d := range sourceDims[a.Source] {
			if v[d] == miss {
				v[d] = b.intern(d, a.value(d))
			}
		}
	}
	return p
}
