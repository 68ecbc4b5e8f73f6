package ueba

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// PeerRank is one peer of a user and the cosine similarity of their
// TF-IDF membership vectors.
type PeerRank struct {
	Peer  int
	Score float64
}

// RankPeers ranks, for each user, the k other users whose group
// memberships are most alike: memberships are TF-IDF vectors (a group's
// weight is ln(users / its members), so sharing a small group counts
// for more than sharing the all-staff list), compared by cosine
// similarity. Ties rank the lower user index first; users with nothing
// in common are no peers.
//
// member[u] lists user u's groups (indices below nGroups, any order,
// duplicates ignored). Candidates come from an inverted index, rarest
// group first; once no user outside the candidates could still reach
// the k-th best score (the MaxScore bound), the common groups only
// complete the candidates' scores. No all-pairs work, and the result is
// exact.
func RankPeers(ctx context.Context, member [][]int32, nGroups, k int) ([][]PeerRank, error) {
	n := len(member)
	groups := make([][]int32, n)
	df := make([]int32, nGroups)
	for u, gs := range member {
		g := slices.Clone(gs)
		slices.Sort(g)
		g = slices.Compact(g)
		groups[u] = g
		for _, x := range g {
			df[x]++
		}
	}
	idf := make([]float64, nGroups)
	for g, c := range df {
		if c > 0 {
			idf[g] = math.Log(float64(n) / float64(c))
		}
	}
	norm := make([]float64, n)
	for u, gs := range groups {
		s := 0.0
		for _, g := range gs {
			s += idf[g] * idf[g]
		}
		norm[u] = math.Sqrt(s)
	}
	// postings and the largest normalised weight any member has per group
	post := make([][]int32, nGroups)
	maxW := make([]float64, nGroups)
	for u, gs := range groups {
		if norm[u] == 0 {
			continue
		}
		for _, g := range gs {
			if idf[g] == 0 {
				continue
			}
			post[g] = append(post[g], int32(u))
			maxW[g] = max(maxW[g], idf[g]/norm[u])
		}
	}
	out := make([][]PeerRank, n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var next sync.Mutex
	cursor := 0
	errc := make(chan error, 1)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &ranker{acc: make([]float64, n), seen: make([]bool, n), k: k, groups: groups, idf: idf, norm: norm, post: post, maxW: maxW}
			for {
				next.Lock()
				start := cursor
				cursor += 256
				next.Unlock()
				if start >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					select {
					case errc <- err:
					default:
					}
					return
				}
				for u := start; u < min(start+256, n); u++ {
					out[u] = r.rank(u)
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	return out, nil
}

type ranker struct {
	acc     []float64
	seen    []bool
	touched []int32
	k       int
	groups  [][]int32
	idf     []float64
	norm    []float64
	post    [][]int32
	maxW    []float64
	terms   []term
}

type term struct {
	g     int32
	w     float64 // the user's normalised weight
	bound float64 // w * maxW: the most this group adds to anyone's score
}

func (r *ranker) rank(u int) []PeerRank {
	if r.norm[u] == 0 {
		return nil
	}
	r.terms = r.terms[:0]
	for _, g := range r.groups[u] {
		if r.idf[g] == 0 {
			continue
		}
		w := r.idf[g] / r.norm[u]
		r.terms = append(r.terms, term{g, w, w * r.maxW[g]})
	}
	sort.Slice(r.terms, func(i, j int) bool {
		if r.terms[i].bound != r.terms[j].bound {
			return r.terms[i].bound > r.terms[j].bound
		}
		return r.terms[i].g < r.terms[j].g
	})
	rem := make([]float64, len(r.terms)+1)
	for i := len(r.terms) - 1; i >= 0; i-- {
		rem[i] = rem[i+1] + r.terms[i].bound
	}
	r.touched = r.touched[:0]
	i := 0
	for ; i < len(r.terms); i++ {
		if i > 0 && len(r.touched) > r.k {
			// a user no group so far has named scores at most rem[i]
			if th := r.kth(u); rem[i]*(1+1e-9) < th {
				break
			}
		}
		t := r.terms[i]
		for _, v := range r.post[t.g] {
			if !r.seen[v] {
				r.seen[v] = true
				r.touched = append(r.touched, v)
			}
			r.acc[v] += t.w * r.idf[t.g] / r.norm[v]
		}
	}
	// the remaining groups only complete the candidates' scores
	for ; i < len(r.terms); i++ {
		t := r.terms[i]
		for _, v := range r.touched {
			if _, ok := slices.BinarySearch(r.groups[v], t.g); ok {
				r.acc[v] += t.w * r.idf[t.g] / r.norm[v]
			}
		}
	}
	best := make([]PeerRank, 0, r.k+1)
	for _, v := range r.touched {
		if int(v) != u {
			best = pushTop(best, PeerRank{int(v), roundScore(r.acc[v])}, r.k)
		}
		r.acc[v], r.seen[v] = 0, false
	}
	sort.Slice(best, func(i, j int) bool { return better(best[i], best[j]) })
	return best
}

// kth is the k-th best partial score among the candidates (self excluded).
func (r *ranker) kth(u int) float64 {
	var top []PeerRank
	for _, v := range r.touched {
		if int(v) != u {
			top = pushTop(top, PeerRank{int(v), r.acc[v]}, r.k)
		}
	}
	if len(top) < r.k {
		return 0
	}
	return top[0].Score
}

// roundScore keeps 12 significant digits: similarities equal in exact
// arithmetic but summed in another order are ties, ranked by index.
func roundScore(s float64) float64 {
	if s == 0 {
		return 0
	}
	e := math.Pow(10, 12-math.Ceil(math.Log10(math.Abs(s))))
	return math.Round(s*e) / e
}

func better(a, b PeerRank) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Peer < b.Peer
}

// pushTop keeps the k best in a min-heap (worst at index 0).
func pushTop(h []PeerRank, x PeerRank, k int) []PeerRank {
	if len(h) < k {
		h = append(h, x)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !better(h[p], h[i]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		return h
	}
	if !better(x, h[0]) {
		return h
	}
	h[0] = x
	for i := 0; ; {
		l, rr, m := 2*i+1, 2*i+2, i
		if l < len(h) && better(h[m], h[l]) {
			m = l
		}
		if rr < len(h) && better(h[m], h[rr]) {
			m = rr
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return h
}
