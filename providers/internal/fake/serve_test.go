package fake

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
)

func TestFaultsServe(t *testing.T) {
	var f Faults
	f.Push(Fault{Status: 429, RetryAfter: "2"}, Fault{Status: 200, Body: `{"raw":1}`})
	body := func(status int) any { return map[string]int{"status": status} }
	cases := []struct {
		served     bool
		status     int
		retryAfter string
		body       string
	}{
		{true, 429, "2", `{"status":429}`},
		{true, 200, "", `{"raw":1}`},
		{false, 0, "", ""}, // the queue is empty
	}
	for i, c := range cases {
		w := httptest.NewRecorder()
		served := f.Serve(w, httptest.NewRequest(http.MethodPost, "/", nil), body)
		if served != c.served {
			t.Fatalf("request %d: served %v", i, served)
		}
		if !served {
			continue
		}
		if w.Code != c.status || w.Header().Get("Retry-After") != c.retryAfter || strings.TrimSpace(w.Body.String()) != c.body {
			t.Errorf("request %d: %d %q %q", i, w.Code, w.Header().Get("Retry-After"), w.Body.String())
		}
	}
	// A client that gives up during the delay gets nothing.
	f.Push(Fault{Status: 500, Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	if !f.Serve(w, httptest.NewRequest(http.MethodPost, "/", nil).WithContext(ctx), body) || w.Body.Len() != 0 {
		t.Errorf("cancelled client: %d %q", w.Code, w.Body.String())
	}
}

func TestKustoMessageAndTimedOut(t *testing.T) {
	h := Engine(map[string]*table.Table{}, time.Time{})
	_, err := h(context.Background(), "print x = 1\n| where nosuch > 1")
	if err == nil {
		t.Fatal("no error")
	}
	if msg := KustoMessage(err); !strings.HasSuffix(msg, " on line [2,8]") {
		t.Errorf("KustoMessage = %q", msg)
	}
	if msg := KustoMessage(errors.New("plain")); msg != "plain" {
		t.Errorf("KustoMessage without a position = %q", msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	for _, c := range []struct {
		ctx  context.Context
		err  error
		want bool
	}{
		{context.Background(), nil, false},
		{context.Background(), context.DeadlineExceeded, true},
		{ctx, nil, true},
		{context.Background(), context.Canceled, false},
	} {
		if got := TimedOut(c.ctx, c.err); got != c.want {
			t.Errorf("TimedOut(%v, %v) = %v", c.ctx.Err(), c.err, got)
		}
	}
	var l Log[int]
	l.Add(1)
	all := l.All()
	l.Add(2)
	if len(all) != 1 || len(l.All()) != 2 {
		t.Errorf("log %v then %v", all, l.All())
	}
}
