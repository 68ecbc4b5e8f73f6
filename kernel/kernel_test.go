package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// fakeInterp answers by the cell's first word, so tests can drive every
// path of the kernel without a language.
type fakeInterp struct {
	panicInfo atomic.Bool
	started   chan string   // receives the code of cells that block
	release   chan struct{} // lets a "wait" cell finish
}

func newFake() *fakeInterp {
	return &fakeInterp{started: make(chan string, 8), release: make(chan struct{})}
}

func (f *fakeInterp) Info() Info {
	if f.panicInfo.Load() {
		panic("info crashed")
	}
	return Info{Banner: "fake", Language: LanguageInfo{Name: "fake", Mimetype: "text/x-fake", FileExtension: ".fake"}}
}

func (f *fakeInterp) Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteReply {
	word, rest, _ := strings.Cut(req.Code, " ")
	switch word {
	case "print":
		out.Stream("stdout", rest)
	case "result":
		out.Result(map[string]any{"text/plain": rest}, nil)
	case "fail":
		return ExecuteReply{Err: &Error{Name: "FakeError", Value: rest, Traceback: []string{"FakeError: " + rest}}}
	case "panic":
		panic("boom")
	case "block": // honours the interrupt
		f.started <- req.Code
		<-ctx.Done()
		return ExecuteReply{Err: &Error{Name: "Interrupted", Value: "stopped"}}
	case "hang": // ignores the interrupt
		f.started <- req.Code
		<-f.release
		out.Stream("stdout", "too late")
	case "wait":
		f.started <- req.Code
		<-f.release
		return ExecuteReply{Err: &Error{Name: "FakeError", Value: "after wait"}}
	case "count":
		out.Stream("stdout", strings.Repeat("x", req.ExecutionCount))
	}
	return ExecuteReply{}
}

func (f *fakeInterp) Complete(code string, cursor int) CompleteReply {
	if strings.Contains(code, "crash") {
		panic("complete crashed")
	}
	// Complete the word before the cursor to "word!" (byte offsets).
	start := strings.LastIndexByte(code[:cursor], ' ') + 1
	return CompleteReply{Matches: []string{code[start:cursor] + "!"}, CursorStart: start, CursorEnd: cursor}
}

func (f *fakeInterp) Inspect(code string, cursor, detail int) InspectReply {
	if code == "" {
		return InspectReply{}
	}
	return InspectReply{Found: true, Data: map[string]any{"text/plain": "doc of " + code}}
}

func (f *fakeInterp) IsComplete(code string) IsCompleteReply {
	if strings.HasSuffix(code, "|") {
		return IsCompleteReply{Status: "incomplete", Indent: "  "}
	}
	return IsCompleteReply{Status: "complete"}
}

// client is a minimal Jupyter client over real zmq4 sockets.
type client struct {
	t       *testing.T
	sig     *signer
	session string
	shell   zmq4.Socket
	control zmq4.Socket
	iopub   zmq4.Socket
	replies map[string]chan *Message
	pubs    chan *Message
}

type harness struct {
	k      *Kernel
	c      *client
	fake   *fakeInterp
	log    *syncBuffer
	done   chan bool // Run's restart result
	cancel context.CancelFunc
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const testKey = "b5c3f2a0-test-key"

func start(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	fake := newFake()
	log := &syncBuffer{}
	cfg := Config{
		Conn:   ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: testKey, SignatureScheme: "hmac-sha256"},
		Interp: fake, Log: log, InterruptGrace: 2 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	k, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{k: k, fake: fake, log: log, done: make(chan bool, 1), cancel: cancel}
	go func() {
		restart, _ := k.Run(ctx)
		h.done <- restart
	}()
	h.c = dial(t, k, testKey)
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
			t.Error("kernel did not stop")
		}
		h.c.close()
	})
	return h
}

func dial(t *testing.T, k *Kernel, key string) *client {
	t.Helper()
	sig, _ := newSigner("hmac-sha256", key)
	ctx := context.Background()
	c := &client{t: t, sig: sig, session: newMsgID(), replies: map[string]chan *Message{}, pubs: make(chan *Message, 1000)}
	id := zmq4.WithID(zmq4.SocketIdentity(c.session))
	c.shell = zmq4.NewDealer(ctx, id)
	c.control = zmq4.NewDealer(ctx, id)
	c.iopub = zmq4.NewSub(ctx)
	for _, d := range []struct {
		s    zmq4.Socket
		port string
	}{{c.shell, "shell"}, {c.control, "control"}, {c.iopub, "iopub"}} {
		if err := d.s.Dial(k.cfg.Conn.Endpoint(k.Port(d.port))); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"shell", "control"} {
		c.replies[ch] = make(chan *Message, 100)
	}
	go c.read(c.shell, c.replies["shell"])
	go c.read(c.control, c.replies["control"])
	go c.read(c.iopub, c.pubs)
	// Wait until iopub is subscribed: ask kernel_info until status arrives.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.send("shell", "kernel_info_request", map[string]any{})
		c.next("shell", "kernel_info_reply")
		select {
		case <-c.pubs:
			c.drainPubs()
			return c
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("iopub never delivered")
	return nil
}

func (c *client) close() {
	c.shell.Close()
	c.control.Close()
	c.iopub.Close()
}

func (c *client) read(s zmq4.Socket, out chan<- *Message) {
	for {
		raw, err := s.Recv()
		if err != nil {
			return
		}
		m, err := c.sig.Decode(raw.Frames)
		if err != nil {
			c.t.Errorf("client got a bad message: %v", err)
			continue
		}
		out <- m
	}
}

func (c *client) send(channel, msgType string, content any) string {
	return c.sendWith(c.sig, channel, msgType, content)
}

func (c *client) sendWith(sig *signer, channel, msgType string, content any) string {
	body, _ := json.Marshal(content)
	m := &Message{Header: Header{MsgID: newMsgID(), Username: "test", Session: c.session, Date: isoNow(), MsgType: msgType, Version: ProtocolVersion}, Content: body}
	frames, _ := sig.Encode(m)
	s := c.shell
	if channel == "control" {
		s = c.control
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

// next returns the next reply on channel, which must be of msgType.
func (c *client) next(channel, msgType string) *Message {
	c.t.Helper()
	select {
	case m := <-c.replies[channel]:
		if m.Header.MsgType != msgType {
			c.t.Fatalf("got %s on %s, want %s: %s", m.Header.MsgType, channel, msgType, m.Content)
		}
		return m
	case <-time.After(5 * time.Second):
		c.t.Fatalf("no %s on %s", msgType, channel)
	}
	return nil
}

func (c *client) drainPubs() {
	for {
		select {
		case <-c.pubs:
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// pubsFor collects iopub messages with parent msgID up to its idle status.
func (c *client) pubsFor(msgID string) []*Message {
	c.t.Helper()
	var out []*Message
	for {
		select {
		case m := <-c.pubs:
			var parent Header
			json.Unmarshal(m.Parent, &parent)
			if parent.MsgID != msgID {
				continue
			}
			out = append(out, m)
			if m.Header.MsgType == "status" && content(m)["execution_state"] == "idle" {
				return out
			}
		case <-time.After(5 * time.Second):
			c.t.Fatalf("no idle for %s; got %d messages", msgID, len(out))
		}
	}
}

func content(m *Message) map[string]any {
	var c map[string]any
	json.Unmarshal(m.Content, &c)
	return c
}

func types(ms []*Message) string {
	var s []string
	for _, m := range ms {
		t := m.Header.MsgType
		if t == "status" {
			t = content(m)["execution_state"].(string)
		}
		s = append(s, t)
	}
	return strings.Join(s, ",")
}

func exec1(code string) map[string]any {
	return map[string]any{"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
}

func TestKernelInfo(t *testing.T) {
	h := start(t, nil)
	id := h.c.send("shell", "kernel_info_request", map[string]any{})
	r := content(h.c.next("shell", "kernel_info_reply"))
	if r["protocol_version"] != "5.3" || r["implementation"] != "huntbook" || r["status"] != "ok" {
		t.Errorf("kernel_info_reply = %v", r)
	}
	if li := r["language_info"].(map[string]any); li["name"] != "fake" || li["file_extension"] != ".fake" {
		t.Errorf("language_info = %v", li)
	}
	if got := types(h.c.pubsFor(id)); got != "busy,idle" {
		t.Errorf("iopub = %s", got)
	}
	// kernel_info also works on control.
	h.c.send("control", "kernel_info_request", map[string]any{})
	h.c.next("control", "kernel_info_reply")
}

func TestExecute(t *testing.T) {
	h := start(t, nil)
	tests := []struct {
		code      string
		req       map[string]any
		status    string
		count     float64
		iopub     string
		checkText string
	}{
		{"print hello", nil, "ok", 1, "busy,execute_input,stream,idle", "hello"},
		{"result 42", nil, "ok", 2, "busy,execute_input,execute_result,idle", "42"},
		{"fail bad thing", nil, "error", 3, "busy,execute_input,error,idle", "bad thing"},
		{"print quiet", map[string]any{"silent": true}, "ok", 3, "busy,idle", ""},
		{"print nostore", map[string]any{"store_history": false}, "ok", 3, "busy,execute_input,stream,idle", "nostore"},
		{"count", nil, "ok", 4, "busy,execute_input,stream,idle", "xxxx"},
	}
	for _, tc := range tests {
		req := exec1(tc.code)
		for k, v := range tc.req {
			req[k] = v
		}
		id := h.c.send("shell", "execute_request", req)
		rep := h.c.next("shell", "execute_reply")
		var parent Header
		json.Unmarshal(rep.Parent, &parent)
		if parent.MsgID != id {
			t.Errorf("%s: reply parent %s, want %s", tc.code, parent.MsgID, id)
		}
		r := content(rep)
		if r["status"] != tc.status || r["execution_count"] != tc.count {
			t.Errorf("%s: reply %v, want status %s count %v", tc.code, r, tc.status, tc.count)
		}
		pubs := h.c.pubsFor(id)
		if got := types(pubs); got != tc.iopub {
			t.Errorf("%s: iopub %s, want %s", tc.code, got, tc.iopub)
		}
		if tc.checkText != "" {
			b, _ := json.Marshal(content(pubs[len(pubs)-2]))
			if !strings.Contains(string(b), tc.checkText) {
				t.Errorf("%s: output %s lacks %q", tc.code, b, tc.checkText)
			}
		}
	}
	// History saw the stored inputs, with the result's text.
	h.c.send("shell", "history_request", map[string]any{"output": true, "raw": true, "hist_access_type": "tail", "n": 10})
	hist := content(h.c.next("shell", "history_reply"))["history"].([]any)
	if len(hist) != 4 {
		t.Fatalf("history = %v", hist)
	}
	if second := hist[1].([]any); second[1] != 2.0 || second[2].([]any)[1] != "42" {
		t.Errorf("history entry 2 = %v", second)
	}
	h.c.send("shell", "history_request", map[string]any{"output": false, "raw": true, "hist_access_type": "search", "pattern": "print*", "unique": true})
	if hist := content(h.c.next("shell", "history_reply"))["history"].([]any); len(hist) != 1 || hist[0].([]any)[2] != "print hello" {
		t.Errorf("search history = %v", hist)
	}
}

func TestBadSignatureDropped(t *testing.T) {
	h := start(t, nil)
	wrong, _ := newSigner("hmac-sha256", "not-the-key")
	h.c.sendWith(wrong, "shell", "execute_request", exec1("print evil"))
	h.c.send("shell", "execute_request", exec1("print good"))
	r := content(h.c.next("shell", "execute_reply"))
	if r["execution_count"] != 1.0 {
		t.Errorf("the forged cell must not run or count: %v", r)
	}
	select {
	case m := <-h.c.replies["shell"]:
		t.Errorf("unexpected extra reply %s", m.Content)
	case <-time.After(100 * time.Millisecond):
	}
	if !strings.Contains(h.log.String(), "signature") {
		t.Errorf("dropped message not logged: %q", h.log.String())
	}
}

func TestInterrupt(t *testing.T) {
	h := start(t, nil)
	h.c.send("shell", "execute_request", exec1("block"))
	<-h.fake.started
	// Shell is busy; control still answers.
	h.c.send("control", "kernel_info_request", map[string]any{})
	h.c.next("control", "kernel_info_reply")
	h.c.send("control", "interrupt_request", map[string]any{})
	h.c.next("control", "interrupt_reply")
	if r := content(h.c.next("shell", "execute_reply")); r["status"] != "error" || r["ename"] != "Interrupted" {
		t.Errorf("interrupted reply = %v", r)
	}
	h.c.send("shell", "execute_request", exec1("print after"))
	if r := content(h.c.next("shell", "execute_reply")); r["status"] != "ok" {
		t.Errorf("kernel unusable after interrupt: %v", r)
	}
}

func TestInterruptAbandonsStuckInterpreter(t *testing.T) {
	h := start(t, func(c *Config) { c.InterruptGrace = 50 * time.Millisecond })
	id := h.c.send("shell", "execute_request", exec1("hang"))
	<-h.fake.started
	h.k.Interrupt() // as SIGINT does
	if r := content(h.c.next("shell", "execute_reply")); r["ename"] != "Interrupted" {
		t.Errorf("reply = %v", r)
	}
	pubs := h.c.pubsFor(id)
	close(h.fake.release) // the abandoned interpreter's late output is dropped
	time.Sleep(50 * time.Millisecond)
	if got := types(pubs); got != "busy,execute_input,error,idle" {
		t.Errorf("iopub = %s", got)
	}
	h.c.send("shell", "execute_request", exec1("print next"))
	if r := content(h.c.next("shell", "execute_reply")); r["status"] != "ok" {
		t.Errorf("next cell = %v", r)
	}
	select {
	case m := <-h.c.pubs:
		if strings.Contains(string(m.Content), "too late") {
			t.Error("abandoned output was published")
		}
	default:
	}
}

func TestPanicRecovered(t *testing.T) {
	h := start(t, nil)
	h.c.send("shell", "execute_request", exec1("panic"))
	r := content(h.c.next("shell", "execute_reply"))
	if r["status"] != "error" || r["ename"] != "Panic" || r["evalue"] != "boom" {
		t.Errorf("panic reply = %v", r)
	}
	h.c.send("shell", "complete_request", map[string]any{"code": "crash", "cursor_pos": 5})
	if r := content(h.c.next("shell", "complete_reply")); r["status"] != "error" {
		t.Errorf("complete panic reply = %v", r)
	}
	h.fake.panicInfo.Store(true)
	h.c.send("shell", "kernel_info_request", map[string]any{})
	if r := content(h.c.next("shell", "kernel_info_reply")); r["status"] != "error" || r["evalue"] != "info crashed" {
		t.Errorf("kernel_info panic reply = %v", r)
	}
	h.c.send("shell", "execute_request", exec1("print alive"))
	if r := content(h.c.next("shell", "execute_reply")); r["status"] != "ok" {
		t.Errorf("kernel died: %v", r)
	}
}

func TestStopOnError(t *testing.T) {
	for _, stop := range []bool{true, false} {
		h := start(t, nil)
		first := exec1("wait")
		first["stop_on_error"] = stop
		h.c.send("shell", "execute_request", first)
		<-h.fake.started
		h.c.send("shell", "execute_request", exec1("print a"))
		h.c.send("shell", "kernel_info_request", map[string]any{})
		h.c.send("shell", "execute_request", exec1("print b"))
		for deadline := time.Now().Add(5 * time.Second); len(h.k.shellQ) < 3; {
			if time.Now().After(deadline) {
				t.Fatal("requests never queued")
			}
			time.Sleep(5 * time.Millisecond)
		}
		h.fake.release <- struct{}{}
		if r := content(h.c.next("shell", "execute_reply")); r["status"] != "error" {
			t.Fatalf("first = %v", r)
		}
		want := "aborted"
		if !stop {
			want = "ok"
		}
		if r := content(h.c.next("shell", "execute_reply")); r["status"] != want {
			t.Errorf("stop_on_error=%v: queued a = %v, want %s", stop, r, want)
		}
		h.c.next("shell", "kernel_info_reply") // non-execute requests are served
		if r := content(h.c.next("shell", "execute_reply")); r["status"] != want {
			t.Errorf("stop_on_error=%v: queued b = %v, want %s", stop, r, want)
		}
		// Aborting ends with the queue: a new cell runs.
		h.c.send("shell", "execute_request", exec1("print c"))
		if r := content(h.c.next("shell", "execute_reply")); r["status"] != "ok" {
			t.Errorf("after abort = %v", r)
		}
	}
}

func TestCompleteInspectIsCompleteComm(t *testing.T) {
	h := start(t, nil)
	// Cursor positions are code points: "é" is 2 bytes but 1 position.
	h.c.send("shell", "complete_request", map[string]any{"code": "é ab cd", "cursor_pos": 4})
	r := content(h.c.next("shell", "complete_reply"))
	if m := r["matches"].([]any); len(m) != 1 || m[0] != "ab!" || r["cursor_start"] != 2.0 || r["cursor_end"] != 4.0 {
		t.Errorf("complete_reply = %v", r)
	}
	h.c.send("shell", "inspect_request", map[string]any{"code": "x", "cursor_pos": 1, "detail_level": 0})
	if r := content(h.c.next("shell", "inspect_reply")); r["found"] != true || r["data"].(map[string]any)["text/plain"] != "doc of x" {
		t.Errorf("inspect_reply = %v", r)
	}
	h.c.send("shell", "inspect_request", map[string]any{"code": "", "cursor_pos": 0, "detail_level": 0})
	if r := content(h.c.next("shell", "inspect_reply")); r["found"] != false {
		t.Errorf("empty inspect_reply = %v", r)
	}
	for code, want := range map[string]string{"T |": "incomplete", "T": "complete"} {
		h.c.send("shell", "is_complete_request", map[string]any{"code": code})
		if r := content(h.c.next("shell", "is_complete_reply")); r["status"] != want {
			t.Errorf("is_complete(%q) = %v, want %s", code, r, want)
		}
	}
	h.c.send("shell", "comm_info_request", map[string]any{})
	if r := content(h.c.next("shell", "comm_info_reply")); len(r["comms"].(map[string]any)) != 0 {
		t.Errorf("comm_info_reply = %v", r)
	}
	id := h.c.send("shell", "comm_open", map[string]any{"comm_id": "c1", "target_name": "jupyter.widget", "data": map[string]any{}})
	if got := types(h.c.pubsFor(id)); got != "busy,idle" {
		t.Errorf("comm_open iopub = %s", got)
	}
	h.c.send("shell", "execute_request", exec1("print still here"))
	h.c.next("shell", "execute_reply") // and no comm reply came before it
}

func TestShutdown(t *testing.T) {
	h := start(t, nil)
	h.c.send("control", "shutdown_request", map[string]any{"restart": true})
	if r := content(h.c.next("control", "shutdown_reply")); r["restart"] != true || r["status"] != "ok" {
		t.Errorf("shutdown_reply = %v", r)
	}
	select {
	case restart := <-h.done:
		if !restart {
			t.Error("Run should report the restart request")
		}
		h.done <- restart // for Cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("kernel did not exit after shutdown_request")
	}
}

func TestParentDeath(t *testing.T) {
	// A parent that lives long enough for the client to connect, then exits
	// (and is reaped, since a zombie still answers signal 0).
	cmd := exec.Command("sleep", "0.5")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start sleep:", err)
	}
	go cmd.Wait()
	h := start(t, func(c *Config) { c.ParentPID = cmd.Process.Pid; c.ParentPoll = 20 * time.Millisecond })
	select {
	case r := <-h.done:
		h.done <- r
	case <-time.After(5 * time.Second):
		t.Fatal("kernel outlived its parent")
	}
	if !strings.Contains(h.log.String(), "parent process") {
		t.Errorf("log = %q", h.log.String())
	}
}
