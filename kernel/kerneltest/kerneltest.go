// Package kerneltest drives a huntbook kernel over real ZeroMQ sockets the
// way a Jupyter front-end does, for tests of interpreters plugged into the
// kernel (the KQL interpreter with the real engine, interrupts, shutdown).
// Its message signing is written independently of package kernel's, so the
// two check each other.
package kerneltest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/huntbook/huntbook/kernel"
)

// Key signs the test connection's messages.
const Key = "kerneltest-8f3e2c1a"

// Timeout bounds every wait for a reply.
var Timeout = 10 * time.Second

// Msg is one received message.
type Msg struct {
	Type    string
	ID      string
	Parent  string // the parent's msg_id
	Content map[string]any
}

// Harness is a running kernel and a client connected to it.
type Harness struct {
	Kernel *kernel.Kernel
	*Client
	done   chan struct{}
	cancel context.CancelFunc
}

// Start runs a kernel serving in on free local ports and connects a
// client; mod may adjust the configuration. Stop (or the test's end)
// shuts both down.
func Start(t testing.TB, in kernel.Interpreter, mod func(*kernel.Config)) *Harness {
	t.Helper()
	cfg := kernel.Config{
		Conn:   kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: Key, SignatureScheme: "hmac-sha256"},
		Interp: in, Log: testLog{t},
	}
	if mod != nil {
		mod(&cfg)
	}
	k, err := kernel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Harness{Kernel: k, done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(h.done)
		k.Run(ctx)
	}()
	h.Client = Dial(t, cfg.Conn.IP, k.Port, Key)
	t.Cleanup(h.Stop)
	return h
}

// Stop shuts the kernel down and closes the client; it waits for Run to
// return.
func (h *Harness) Stop() {
	h.cancel()
	select {
	case <-h.done:
	case <-time.After(Timeout):
		h.t.Errorf("kernel did not stop within %v", Timeout)
	}
	h.Client.Close()
}

// Done is closed when the kernel's Run has returned.
func (h *Harness) Done() <-chan struct{} { return h.done }

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Logf("%s", p)
	return len(p), nil
}

// Client is a minimal Jupyter client: shell, control and iopub.
type Client struct {
	t       testing.TB
	key     []byte
	session string
	socks   map[string]zmq4.Socket
	mu      sync.Mutex
	replies map[string]chan Msg // by channel
	pubs    chan Msg
	wg      sync.WaitGroup
}

// Dial connects to a kernel's shell, control and iopub ports (port gives
// each channel's port) and waits until iopub delivers.
func Dial(t testing.TB, ip string, port func(channel string) int, key string) *Client {
	t.Helper()
	c := &Client{t: t, key: []byte(key), session: newID(), socks: map[string]zmq4.Socket{},
		replies: map[string]chan Msg{"shell": make(chan Msg, 100), "control": make(chan Msg, 100)}, pubs: make(chan Msg, 10000)}
	ctx := context.Background()
	id := zmq4.WithID(zmq4.SocketIdentity(c.session))
	c.socks["shell"] = zmq4.NewDealer(ctx, id)
	c.socks["control"] = zmq4.NewDealer(ctx, id)
	c.socks["iopub"] = zmq4.NewSub(ctx)
	for name, s := range c.socks {
		if err := s.Dial(fmt.Sprintf("tcp://%s:%d", ip, port(name))); err != nil {
			t.Fatalf("dial %s: %v", name, err)
		}
	}
	if err := c.socks["iopub"].SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	for name, s := range c.socks {
		out := c.pubs
		if name != "iopub" {
			out = c.replies[name]
		}
		c.wg.Add(1)
		go c.read(s, out)
	}
	// A subscription takes a moment: ask until a status comes through.
	deadline := time.Now().Add(Timeout)
	for time.Now().Before(deadline) {
		id := c.Send("shell", "kernel_info_request", map[string]any{})
		c.Reply("shell", id)
		select {
		case <-c.pubs:
			c.Drain()
			return c
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("kerneltest: iopub never delivered")
	return nil
}

// Close closes the sockets and waits for the readers.
func (c *Client) Close() {
	for _, s := range c.socks {
		s.Close()
	}
	c.wg.Wait()
}

func (c *Client) sign(frames ...[]byte) []byte {
	mac := hmac.New(sha256.New, c.key)
	for _, f := range frames {
		mac.Write(f)
	}
	return []byte(hex.EncodeToString(mac.Sum(nil)))
}

func (c *Client) read(s zmq4.Socket, out chan<- Msg) {
	defer c.wg.Done()
	for {
		raw, err := s.Recv()
		if err != nil {
			return
		}
		f := raw.Frames
		i := 0
		for i < len(f) && string(f[i]) != "<IDS|MSG>" {
			i++
		}
		if len(f) < i+6 {
			c.t.Errorf("kerneltest: short message (%d frames)", len(f))
			continue
		}
		if !hmac.Equal(f[i+1], c.sign(f[i+2], f[i+3], f[i+4], f[i+5])) {
			c.t.Errorf("kerneltest: bad signature on a kernel message")
			continue
		}
		var hdr, parent struct {
			MsgID   string `json:"msg_id"`
			MsgType string `json:"msg_type"`
		}
		var content map[string]any
		if json.Unmarshal(f[i+2], &hdr) != nil || json.Unmarshal(f[i+3], &parent) != nil || json.Unmarshal(f[i+5], &content) != nil {
			c.t.Errorf("kerneltest: undecodable message")
			continue
		}
		select {
		case out <- Msg{Type: hdr.MsgType, ID: hdr.MsgID, Parent: parent.MsgID, Content: content}:
		default:
			c.t.Errorf("kerneltest: %s dropped: buffer full", hdr.MsgType)
		}
	}
}

// Send sends a request on "shell" or "control" and returns its msg_id.
func (c *Client) Send(channel, msgType string, content any) string {
	c.t.Helper()
	id := newID()
	hdr, _ := json.Marshal(map[string]any{"msg_id": id, "username": "kerneltest", "session": c.session,
		"date": time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), "msg_type": msgType, "version": kernel.ProtocolVersion})
	body, err := json.Marshal(content)
	if err != nil {
		c.t.Fatal(err)
	}
	frames := [][]byte{[]byte("<IDS|MSG>"), nil, hdr, []byte("{}"), []byte("{}"), body}
	frames[1] = c.sign(frames[2:]...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.socks[channel].SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatalf("kerneltest: send %s: %v", msgType, err)
	}
	return id
}

// Reply waits for the reply to request id on channel.
func (c *Client) Reply(channel, id string) Msg {
	c.t.Helper()
	timeout := time.After(Timeout)
	for {
		select {
		case m := <-c.replies[channel]:
			if m.Parent == id {
				return m
			}
		case <-timeout:
			c.t.Fatalf("kerneltest: no reply to %s on %s within %v", id, channel, Timeout)
		}
	}
}

// Pubs collects the iopub messages caused by request id, up to its idle
// status.
func (c *Client) Pubs(id string) []Msg {
	c.t.Helper()
	var out []Msg
	timeout := time.After(Timeout)
	for {
		select {
		case m := <-c.pubs:
			if m.Parent != id {
				continue
			}
			out = append(out, m)
			if m.Type == "status" && m.Content["execution_state"] == "idle" {
				return out
			}
		case <-timeout:
			c.t.Fatalf("kerneltest: no idle status for %s within %v (got %d messages)", id, Timeout, len(out))
		}
	}
}

// WaitPub waits for an iopub message of type msgType caused by id.
func (c *Client) WaitPub(id, msgType string) Msg {
	c.t.Helper()
	timeout := time.After(Timeout)
	for {
		select {
		case m := <-c.pubs:
			if m.Parent == id && m.Type == msgType {
				return m
			}
		case <-timeout:
			c.t.Fatalf("kerneltest: no %s for %s within %v", msgType, id, Timeout)
		}
	}
}

// Drain discards iopub messages until none arrive for 50 ms.
func (c *Client) Drain() {
	for {
		select {
		case <-c.pubs:
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// ExecuteRequest is an execute_request's content for code.
func ExecuteRequest(code string) map[string]any {
	return map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
}

// Execute runs code and returns the execute_reply and the iopub messages
// it caused.
func (c *Client) Execute(code string) (Msg, []Msg) {
	c.t.Helper()
	id := c.Send("shell", "execute_request", ExecuteRequest(code))
	reply := c.Reply("shell", id)
	return reply, c.Pubs(id)
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
