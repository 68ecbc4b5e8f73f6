package fake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// WriteJSON answers status with v as a JSON body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Serve answers r with the next scripted fault, if any, and reports
// whether it did. The fault's delay is waited for first (a client that
// gives up meanwhile gets nothing); an empty Body gets errorBody(status),
// the service's usual error body.
func (f *Faults) Serve(w http.ResponseWriter, r *http.Request, errorBody func(status int) any) bool {
	x, ok := f.Next()
	if !ok {
		return false
	}
	select {
	case <-time.After(x.Delay):
	case <-r.Context().Done():
		return true
	}
	if x.RetryAfter != "" {
		w.Header().Set("Retry-After", x.RetryAfter)
	}
	if x.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(x.Status)
		_, _ = io.WriteString(w, x.Body)
		return true
	}
	WriteJSON(w, x.Status, errorBody(x.Status))
	return true
}

// Log keeps the requests a fake server has seen, safe for concurrent use.
type Log[R any] struct {
	mu   sync.Mutex
	reqs []R
}

// Add notes one request.
func (l *Log[R]) Add(r R) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
}

// All returns a copy of the requests seen so far.
func (l *Log[R]) All() []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]R(nil), l.reqs...)
}

// TimedOut reports whether a handler run under ctx ran out of its time
// (the service's timeout), rather than failing or being cancelled.
func TimedOut(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded
}

// KustoMessage is a rejected query's message as Kusto writes it: the
// engine's message with "on line [L,C]" (a 0-based column) when it has a
// position.
func KustoMessage(err error) string {
	line, col, msg := Position(err)
	if line > 0 {
		msg = fmt.Sprintf("%s on line [%d,%d]", msg, line, col-1)
	}
	return msg
}
