package zmtp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func listen(t *testing.T, kind Kind) (*Socket, string) {
	t.Helper()
	s, err := Listen(kind, "tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, "tcp://" + s.Addr().String()
}

// dial connects a zmq4 client socket (an independent ZMTP implementation).
func dial(t *testing.T, s zmq4.Socket, ep string) zmq4.Socket {
	t.Helper()
	if err := s.Dial(ep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func recvTimeout(t *testing.T, s *Socket) [][]byte {
	t.Helper()
	ch := make(chan [][]byte, 1)
	go func() {
		m, err := s.Recv()
		if err == nil {
			ch <- m
		}
	}()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message received")
		return nil
	}
}

func clientRecv(t *testing.T, s zmq4.Socket) [][]byte {
	t.Helper()
	ch := make(chan zmq4.Msg, 1)
	go func() {
		m, err := s.Recv()
		if err == nil {
			ch <- m
		}
	}()
	select {
	case m := <-ch:
		return m.Frames
	case <-time.After(5 * time.Second):
		t.Fatal("client received nothing")
		return nil
	}
}

func frames(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestRouterRoutesByIdentity(t *testing.T) {
	r, ep := listen(t, Router)
	ctx := context.Background()
	a := dial(t, zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("alice"))), ep)
	b := dial(t, zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("bob"))), ep)
	big := strings.Repeat("x", 70000) // a long frame, beyond the read buffer
	if err := a.SendMulti(zmq4.NewMsgFrom(frames("<IDS|MSG>", "from alice", big)...)); err != nil {
		t.Fatal(err)
	}
	got := recvTimeout(t, r)
	if len(got) != 4 || string(got[0]) != "alice" || string(got[2]) != "from alice" || string(got[3]) != big {
		t.Fatalf("router got %d frames, id %q", len(got), got[0])
	}
	if err := b.SendMulti(zmq4.NewMsgFrom(frames("hello")...)); err != nil {
		t.Fatal(err)
	}
	if got := recvTimeout(t, r); len(got) != 2 || string(got[0]) != "bob" || string(got[1]) != "hello" {
		t.Fatalf("router got %q", got)
	}
	// Replies go only to the peer named by the first frame.
	if err := r.Send(frames("nobody", "lost")); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(frames("bob", "for bob", "")); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(frames("alice", "for alice", big)); err != nil {
		t.Fatal(err)
	}
	if got := clientRecv(t, b); len(got) != 2 || string(got[0]) != "for bob" || len(got[1]) != 0 {
		t.Fatalf("bob got %q", got)
	}
	if got := clientRecv(t, a); len(got) != 2 || string(got[0]) != "for alice" || string(got[1]) != big {
		t.Fatalf("alice got %d frames", len(got))
	}
}

// A peer without an Identity gets a generated routing id, as libzmq does.
func TestRouterAnonymousPeersGetDistinctIDs(t *testing.T) {
	r, ep := listen(t, Router)
	ids := map[string]bool{}
	for i := 0; i < 2; i++ {
		c := rawPeer(t, ep, "DEALER")
		if _, err := c.Write(appendFrame(nil, 0, []byte(fmt.Sprint("raw", i)))); err != nil {
			t.Fatal(err)
		}
		m := recvTimeout(t, r)
		if len(m[0]) != 5 || m[0][0] != 0 || string(m[1]) != fmt.Sprint("raw", i) {
			t.Fatalf("anonymous peer message %q", m)
		}
		ids[string(m[0])] = true
		// The generated id routes the answer back.
		if err := r.Send([][]byte{m[0], []byte("back")}); err != nil {
			t.Fatal(err)
		}
		got, _, err := readMsg(bufio.NewReader(c))
		if err != nil || len(got) != 1 || string(got[0]) != "back" {
			t.Fatalf("raw peer got %q, %v", got, err)
		}
	}
	if len(ids) != 2 {
		t.Errorf("anonymous peers share ids: %v", ids)
	}
}

// rawPeer does the ZMTP handshake by hand (a peer without an Identity) and
// returns the connection for raw frames.
func rawPeer(t *testing.T, ep, sockType string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	greet := make([]byte, 64)
	greet[0], greet[9], greet[10], greet[11] = 0xff, 0x7f, 3, 0
	copy(greet[12:], "NULL")
	if _, err := c.Write(greet); err != nil {
		t.Fatal(err)
	}
	peerGreet := make([]byte, 64)
	if _, err := io.ReadFull(c, peerGreet); err != nil {
		t.Fatal(err)
	}
	// READY with Socket-Type only.
	var ready []byte
	ready = append(ready, 5)
	ready = append(ready, "READY"...)
	ready = append(ready, byte(len("Socket-Type")))
	ready = append(ready, "Socket-Type"...)
	ready = append(ready, 0, 0, 0, byte(len(sockType)))
	ready = append(ready, sockType...)
	if _, err := c.Write(appendFrame(nil, flagCommand, ready)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	m, cmd, err := readMsg(r)
	if err != nil || !cmd || !bytes.Contains(m[0], []byte("READY")) {
		t.Fatalf("no READY from the socket: %q %v", m, err)
	}
	if r.Buffered() > 0 {
		t.Fatal("socket sent more than its READY")
	}
	c.SetDeadline(time.Time{})
	return c
}

func TestPubFiltersBySubscription(t *testing.T) {
	p, ep := listen(t, Pub)
	ctx := context.Background()
	all := dial(t, zmq4.NewSub(ctx), ep)
	some := dial(t, zmq4.NewSub(ctx), ep)
	if err := all.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	if err := some.SetOption(zmq4.OptionSubscribe, "kernel.a"); err != nil {
		t.Fatal(err)
	}
	waitSubscriptions(t, p, 2)
	for _, topic := range []string{"kernel.b.status", "kernel.a.status"} {
		if err := p.Send(frames(topic, "body")); err != nil {
			t.Fatal(err)
		}
	}
	if got := clientRecv(t, all); string(got[0]) != "kernel.b.status" {
		t.Errorf("subscriber to all got %q first", got)
	}
	if got := clientRecv(t, all); string(got[0]) != "kernel.a.status" || string(got[1]) != "body" {
		t.Errorf("subscriber to all got %q second", got)
	}
	if got := clientRecv(t, some); string(got[0]) != "kernel.a.status" {
		t.Errorf("subscriber to kernel.a got %q (kernel.b.status must be filtered out)", got)
	}
}

func TestSubscriptionCounting(t *testing.T) {
	p := &peer{}
	steps := []struct {
		add, cancel bool
		prefix      string
		topic       string
		want        bool
	}{
		{false, false, "", "x", false},
		{true, false, "ab", "abc", true},
		{true, false, "ab", "abc", true},
		{false, true, "ab", "abc", true}, // one of two subscriptions left
		{false, true, "ab", "abc", false},
		{true, false, "", "anything", true},
	}
	for i, s := range steps {
		if s.add || s.cancel {
			p.subscribe(s.add, s.cancel, []byte(s.prefix))
		}
		if got := p.subscribed([]byte(s.topic)); got != s.want {
			t.Errorf("step %d: subscribed(%q) = %v, want %v", i, s.topic, got, s.want)
		}
	}
}

func TestRepEchoes(t *testing.T) {
	_, ep := listen(t, Rep)
	req := dial(t, zmq4.NewReq(context.Background()), ep)
	for _, body := range []string{"ping", "", strings.Repeat("b", 300)} {
		if err := req.Send(zmq4.NewMsgString(body)); err != nil {
			t.Fatal(err)
		}
		if got := clientRecv(t, req); len(got) != 1 || string(got[0]) != body {
			t.Fatalf("echo of %d bytes: got %q", len(body), got)
		}
	}
}

func TestPingGetsPong(t *testing.T) {
	_, ep := listen(t, Router)
	c := rawPeer(t, ep, "DEALER")
	ping := append([]byte{4}, "PING"...)
	ping = append(ping, 0, 10)
	ping = append(ping, "ctx"...)
	if _, err := c.Write(appendFrame(nil, flagCommand, ping)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	m, cmd, err := readMsg(bufio.NewReader(c))
	if err != nil || !cmd || string(m[0]) != "\x04PONGctx" {
		t.Fatalf("got %q cmd=%v err=%v, want a PONG echoing the context", m, cmd, err)
	}
}

func TestReadMsg(t *testing.T) {
	long := bytes.Repeat([]byte("L"), 256)
	var ok []byte
	ok = appendFrame(ok, flagMore, []byte("a"))
	ok = appendFrame(ok, flagMore, long)
	ok = appendFrame(ok, 0, nil)
	huge := []byte{flagLong, 0x7f, 0, 0, 0, 0, 0, 0, 0}
	cases := []struct {
		name    string
		in      []byte
		want    [][]byte
		wantErr string
	}{
		{"short and long frames", ok, [][]byte{[]byte("a"), long, {}}, ""},
		{"truncated", ok[:len(ok)-5], nil, "EOF"},
		{"oversized frame", huge, nil, "exceeds"},
		// 512 MiB announced, 3 bytes sent: an error, without 512 MiB allocated
		{"announced but not sent", []byte{flagLong, 0, 0, 0, 0, 0x20, 0, 0, 0, 'a', 'b', 'c'}, nil, "unexpected EOF"},
		{"large frame", appendFrame(nil, 0, bytes.Repeat([]byte("B"), 3<<20)), [][]byte{bytes.Repeat([]byte("B"), 3<<20)}, ""},
		{"command inside a message", appendFrame(appendFrame(nil, flagMore, []byte("a")), flagCommand, []byte("\x04PING")), nil, "command frame inside"},
	}
	for _, c := range cases {
		got, _, err := readMsg(bufio.NewReader(bytes.NewReader(c.in)))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Fatalf("%s: got %d frames, %v", c.name, len(got), err)
		}
		for i := range got {
			if !bytes.Equal(got[i], c.want[i]) {
				t.Errorf("%s: frame %d = %q", c.name, i, got[i])
			}
		}
	}
}

func TestListenErrors(t *testing.T) {
	for _, ep := range []string{"127.0.0.1:5555", "udp://127.0.0.1:1", "tcp://256.0.0.1:1"} {
		if s, err := Listen(Router, ep); err == nil {
			s.Close()
			t.Errorf("Listen(%q) succeeded", ep)
		}
	}
}

func TestIPCAndClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernel-1")
	before := runtime.NumGoroutine()
	s, err := Listen(Router, "ipc://"+path)
	if err != nil {
		t.Fatal(err)
	}
	d := zmq4.NewDealer(context.Background(), zmq4.WithID(zmq4.SocketIdentity("d")))
	if err := d.Dial("ipc://" + path); err != nil {
		t.Fatal(err)
	}
	if err := d.SendMulti(zmq4.NewMsgFrom(frames("over ipc")...)); err != nil {
		t.Fatal(err)
	}
	if m := recvTimeout(t, s); string(m[0]) != "d" || string(m[1]) != "over ipc" {
		t.Fatalf("got %q", m)
	}
	d.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != ErrClosed {
		t.Errorf("Recv after Close: %v", err)
	}
	if err := s.Send(frames("d", "x")); err != ErrClosed {
		t.Errorf("Send after Close: %v", err)
	}
	if _, err := net.Dial("unix", path); err == nil {
		t.Error("the ipc socket file outlived Close")
	}
	// The socket's own goroutines are gone (zmq4's client may linger briefly).
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	if st := string(buf[:runtime.Stack(buf, true)]); strings.Contains(st, "zmtp.(*peer).serve") || strings.Contains(st, "zmtp.(*Socket).accept") {
		t.Errorf("socket goroutines left after Close:\n%s", st)
	}
}

// A published message larger than the writer keeps for reuse, followed by
// more messages while it is being written, must arrive intact: the writer
// once handed the buffer it was writing back to publishers, who wrote the
// next messages over it and corrupted the stream.
func TestPubLargeMessageThenMore(t *testing.T) {
	p, ep := listen(t, Pub)
	sub := dial(t, zmq4.NewSub(context.Background()), ep)
	if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	waitSubscriptions(t, p, 1)
	// A 100 KiB message first: the writer keeps its buffer for reuse. Then
	// a large one while nobody reads, so its write blocks, and small ones
	// published one a millisecond all the while: the first fit in the kept
	// buffer, the rest arrive while that buffer is being written.
	first := strings.Repeat("f", 100<<10)
	if err := p.Send(frames("kernel.first", first)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	big := strings.Repeat("x", 8<<20)
	const small = 5000
	body := func(j int) string { return strings.Repeat(strconv.Itoa(j%10), 20+j%50) + "#" + strconv.Itoa(j) }
	go func() {
		p.Send(frames("kernel.big", big))
		for j := 0; j < small; j++ {
			p.Send(frames("kernel.small", body(j)))
			if j < 100 {
				time.Sleep(time.Millisecond) // while the large one is written
			}
		}
	}()
	time.Sleep(100 * time.Millisecond) // the writer is blocked on the full socket
	if got := clientRecv(t, sub); string(got[0]) != "kernel.first" || len(got[1]) != len(first) {
		t.Fatalf("got %q first", got[0])
	}
	if got := clientRecv(t, sub); string(got[0]) != "kernel.big" || len(got[1]) != len(big) {
		t.Fatalf("got %q with a %d-byte body, want the large message", got[0], len(got[1]))
	}
	for j := 0; j < small; j++ {
		got := clientRecv(t, sub)
		if string(got[0]) != "kernel.small" || string(got[1]) != body(j) {
			t.Fatalf("small message %d: got %.40q %.60q", j, got[0], got[1])
		}
	}
}

// waitSubscriptions waits until a PUB holds n subscriptions: they arrive
// asynchronously.
func waitSubscriptions(t *testing.T, p *Socket, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		got := 0
		for q := range p.peers {
			q.smu.Lock()
			got += len(q.subs)
			q.smu.Unlock()
		}
		p.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d subscriptions arrived", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// FuzzReadMsg reads arbitrary bytes as ZMTP frames: a bad stream is an
// error, never a panic or a huge allocation.
func FuzzReadMsg(f *testing.F) {
	var ok []byte
	ok = appendFrame(ok, flagMore, []byte("a"))
	ok = appendFrame(ok, 0, bytes.Repeat([]byte("L"), 300))
	f.Add(ok)
	f.Add([]byte{flagLong, 0x7f, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{flagCommand, 5, 4, 'P', 'I', 'N', 'G'})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		for i := 0; i < 100; i++ {
			if _, _, err := readMsg(r); err != nil {
				return
			}
		}
	})
}

// A frame that announces 512 MiB and sends 3 bytes costs little memory.
func TestReadMsgAnnouncedSizeIsNotAllocated(t *testing.T) {
	in := []byte{flagLong, 0, 0, 0, 0, 0x20, 0, 0, 0, 'a', 'b', 'c'}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, _, err := readMsg(bufio.NewReader(bytes.NewReader(in))); err == nil {
		t.Fatal("no error for a truncated frame")
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("reading it allocated %d MiB", grew>>20)
	}
}
