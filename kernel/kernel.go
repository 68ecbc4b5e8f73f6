// Package kernel is huntbook's Jupyter kernel transport and protocol
// (messaging protocol 5.3 over ZeroMQ), modelled on xeus: it reads the
// connection file, binds the five channels, signs and verifies messages,
// keeps the execution count and input history, publishes busy/idle status,
// runs executions on a goroutine that interrupts cancel, and survives
// interpreter panics. It knows nothing about KQL: a language plugs in
// through the Interpreter interface.
package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kernel/internal/zmtp"
)

// Config configures a Kernel.
type Config struct {
	Conn   ConnectionInfo
	Interp Interpreter
	// Log receives diagnostics (dropped messages, panics); default os.Stderr.
	Log io.Writer
	// Implementation and ImplementationVersion go into kernel_info_reply.
	Implementation        string
	ImplementationVersion string
	// ParentPID, when > 0, is polled every ParentPoll (default 1s); the
	// kernel shuts down when that process is gone.
	ParentPID  int
	ParentPoll time.Duration
	// InterruptGrace is how long an interrupted execution may take to
	// return before the kernel gives up waiting and replies (default 3s).
	InterruptGrace time.Duration
	// AbortWindow is how long, after a failed cell with stop_on_error, the
	// kernel keeps aborting execute requests that arrive (default 0: only
	// those already queued).
	AbortWindow time.Duration
}

// Kernel serves one Jupyter connection.
type Kernel struct {
	cfg     Config
	sig     *signer
	log     io.Writer
	session string

	shell, control, stdin, iopub, hb *zmtp.Socket
	ports                            map[string]int

	history *History
	count   int // execution count; only the shell goroutine touches it

	execMu     sync.Mutex
	execCancel context.CancelFunc
	// jobs feeds the execution goroutine, which lives from cell to cell
	// (its stack stays grown) unless an execution is abandoned.
	jobs chan job

	ctx      context.Context // cancelled on shutdown
	stop     context.CancelFunc
	shellQ   chan *Message
	controlQ chan *Message

	restartMu sync.Mutex
	restart   bool
	closeOnce sync.Once
}

// New binds the kernel's sockets. Ports of 0 (tcp) bind free ports; Port
// tells which.
func New(cfg Config) (*Kernel, error) {
	if cfg.Interp == nil {
		return nil, errors.New("kernel: no interpreter")
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.Implementation == "" {
		cfg.Implementation = "huntbook"
	}
	if cfg.ParentPoll <= 0 {
		cfg.ParentPoll = time.Second
	}
	if cfg.InterruptGrace <= 0 {
		cfg.InterruptGrace = 3 * time.Second
	}
	if err := cfg.Conn.Check(); err != nil {
		return nil, fmt.Errorf("kernel: connection: %w", err)
	}
	sig, err := newSigner(cfg.Conn.SignatureScheme, cfg.Conn.Key)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	k := &Kernel{
		cfg: cfg, sig: sig, log: cfg.Log, session: newMsgID(),
		history: &History{}, ctx: ctx, stop: stop,
		ports:    map[string]int{},
		shellQ:   make(chan *Message, 256),
		controlQ: make(chan *Message, 64),
	}
	// Sockets live until Close, independent of the run context, so that
	// the last replies still go out. The heartbeat socket echoes by itself;
	// requests are decoded on the socket's reader goroutines and queued.
	for _, b := range []struct {
		name   string
		s      **zmtp.Socket
		kind   zmtp.Kind
		port   int
		handle func([][]byte)
	}{
		{"shell", &k.shell, zmtp.Router, cfg.Conn.ShellPort, k.receiver("shell", k.shellQ)},
		{"control", &k.control, zmtp.Router, cfg.Conn.ControlPort, k.receiver("control", k.controlQ)},
		{"stdin", &k.stdin, zmtp.Router, cfg.Conn.StdinPort, k.receiver("stdin", nil)},
		{"iopub", &k.iopub, zmtp.Pub, cfg.Conn.IOPubPort, nil},
		{"hb", &k.hb, zmtp.Rep, cfg.Conn.HBPort, nil},
	} {
		ep := cfg.Conn.Endpoint(b.port)
		s, err := zmtp.ListenFunc(b.kind, ep, b.handle)
		if err != nil {
			k.closeSockets()
			return nil, fmt.Errorf("kernel: binding %s channel to %s: %w", b.name, ep, err)
		}
		*b.s = s
		k.ports[b.name] = b.port
		if a, ok := s.Addr().(*net.TCPAddr); ok {
			k.ports[b.name] = a.Port
		}
	}
	return k, nil
}

// Port returns the bound port of a channel: shell, control, stdin, iopub, hb.
func (k *Kernel) Port(channel string) int { return k.ports[channel] }

// History is the session's input history.
func (k *Kernel) History() *History { return k.history }

// Run serves until a shutdown_request, the parent process dying, Shutdown
// or ctx ending; it then closes the sockets. It reports whether a restart
// was asked for.
func (k *Kernel) Run(ctx context.Context) (restart bool, err error) {
	go func() {
		select {
		case <-ctx.Done():
			k.Shutdown()
		case <-k.ctx.Done():
		}
	}()
	k.publish(nil, "status", map[string]any{"execution_state": "starting"})
	go k.controlLoop()
	if k.cfg.ParentPID > 0 {
		go k.watchParent(k.cfg.ParentPID)
	}
	k.shellLoop()
	k.Interrupt()
	if s, ok := k.cfg.Interp.(Shutdowner); ok {
		s.Shutdown(k.restartAsked())
	}
	k.closeSockets()
	k.execMu.Lock()
	if k.jobs != nil {
		close(k.jobs)
		k.jobs = nil
	}
	k.execMu.Unlock()
	return k.restartAsked(), nil
}

// Shutdown stops Run as a shutdown_request would.
func (k *Kernel) Shutdown() { k.stop() }

// Interrupt cancels the running execution, if any.
func (k *Kernel) Interrupt() {
	k.execMu.Lock()
	defer k.execMu.Unlock()
	if k.execCancel != nil {
		k.execCancel()
	}
}

func (k *Kernel) restartAsked() bool {
	k.restartMu.Lock()
	defer k.restartMu.Unlock()
	return k.restart
}

func (k *Kernel) closeSockets() {
	k.closeOnce.Do(func() {
		for _, s := range []*zmtp.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
			if s != nil {
				s.Close()
			}
		}
	})
}

func (k *Kernel) logf(format string, args ...any) {
	fmt.Fprintf(k.log, "huntbook kernel: "+format+"\n", args...)
}

// receiver decodes the messages a ROUTER socket receives into q, dropping
// (and logging) malformed or wrongly signed ones. A nil q discards messages.
func (k *Kernel) receiver(name string, q chan<- *Message) func([][]byte) {
	return func(frames [][]byte) {
		m, err := k.sig.Decode(frames)
		if err != nil {
			k.logf("%s: dropped message: %v", name, err)
			return
		}
		if q == nil {
			k.logf("%s: ignored unexpected %s", name, m.Header.MsgType)
			return
		}
		select {
		case q <- m:
		case <-k.ctx.Done():
		}
	}
}

func (k *Kernel) watchParent(pid int) {
	t := time.NewTicker(k.cfg.ParentPoll)
	defer t.Stop()
	for {
		select {
		case <-k.ctx.Done():
			return
		case <-t.C:
			if !processAlive(pid) {
				k.logf("parent process %d is gone; shutting down", pid)
				k.Shutdown()
				return
			}
		}
	}
}

func (k *Kernel) shellLoop() {
	for {
		select {
		case <-k.ctx.Done():
			return
		case m := <-k.shellQ:
			k.dispatch(k.shell, m, false)
		}
	}
}

func (k *Kernel) controlLoop() {
	for {
		select {
		case <-k.ctx.Done():
			return
		case m := <-k.controlQ:
			k.dispatch(k.control, m, true)
		}
	}
}

// dispatch handles one request between busy and idle status messages.
func (k *Kernel) dispatch(sock *zmtp.Socket, m *Message, control bool) {
	k.publish(m, "status", statusBusy)
	defer k.publish(m, "status", statusIdle)
	reply := func(msgType string, content any) { k.send(sock, m, msgType, content) }
	// A panic anywhere in handling becomes an error reply; the kernel lives on.
	defer func() {
		if p := recover(); p != nil {
			r := k.panicReply(p)
			if t, ok := strings.CutSuffix(m.Header.MsgType, "_request"); ok {
				reply(t+"_reply", errorContent(r.Err, -1))
			}
		}
	}()
	switch t := m.Header.MsgType; t {
	case "kernel_info_request":
		reply("kernel_info_reply", k.kernelInfo())
	case "execute_request":
		if control {
			reply("execute_reply", map[string]any{"status": "error", "ename": "ProtocolError",
				"evalue": "execute_request belongs on the shell channel", "traceback": []string{}})
			return
		}
		if queued := k.execute(m, reply); queued >= 0 {
			k.abortQueued(queued)
		}
	case "complete_request":
		reply("complete_reply", k.complete(m))
	case "inspect_request":
		reply("inspect_reply", k.inspect(m))
	case "is_complete_request":
		reply("is_complete_reply", k.isComplete(m))
	case "history_request":
		reply("history_reply", k.historyReply(m))
	case "comm_info_request":
		reply("comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "comm_open", "comm_msg", "comm_close":
		// No comm targets exist; the protocol says to ignore them.
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		_ = json.Unmarshal(m.Content, &c)
		k.restartMu.Lock()
		k.restart = c.Restart
		k.restartMu.Unlock()
		content := map[string]any{"status": "ok", "restart": c.Restart}
		reply("shutdown_reply", content)
		k.publish(m, "shutdown_reply", content)
		k.Interrupt()
		k.Shutdown()
	case "interrupt_request":
		k.Interrupt()
		reply("interrupt_reply", map[string]any{"status": "ok"})
	default:
		k.logf("ignored unknown message type %q", t)
	}
}

func (k *Kernel) kernelInfo() map[string]any {
	info := k.cfg.Interp.Info()
	links := info.HelpLinks
	if links == nil {
		links = []HelpLink{}
	}
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         k.cfg.Implementation,
		"implementation_version": k.cfg.ImplementationVersion,
		"language_info":          info.Language,
		"banner":                 info.Banner,
		"help_links":             links,
		"debugger":               false,
	}
}

// execute runs one execute_request. After an error with stop_on_error it
// returns how many requests were queued when the cell failed (counted
// before the reply goes out, so none sent after seeing it are aborted);
// otherwise -1.
func (k *Kernel) execute(m *Message, reply func(string, any)) (queued int) {
	var c struct {
		Code            string            `json:"code"`
		Silent          bool              `json:"silent"`
		StoreHistory    *bool             `json:"store_history"`
		UserExpressions map[string]string `json:"user_expressions"`
		AllowStdin      bool              `json:"allow_stdin"`
		StopOnError     *bool             `json:"stop_on_error"`
	}
	if err := json.Unmarshal(m.Content, &c); err != nil {
		reply("execute_reply", errorContent(&Error{Name: "ProtocolError", Value: "bad execute_request content: " + err.Error()}, k.count))
		return -1
	}
	store := c.StoreHistory == nil || *c.StoreHistory
	if c.Silent {
		store = false // the protocol: silent forces store_history off
	}
	stopOnError := c.StopOnError == nil || *c.StopOnError
	if store {
		k.count++
	}
	count := k.count
	if !c.Silent {
		k.publish(m, "execute_input", executeInput{Code: c.Code, ExecutionCount: count})
	}
	if store {
		k.history.Add(count, c.Code)
	}
	req := ExecuteRequest{
		Code: c.Code, Silent: c.Silent, StoreHistory: store, UserExpressions: c.UserExpressions,
		AllowStdin: c.AllowStdin, StopOnError: stopOnError, ExecutionCount: count, History: k.history,
	}
	out := &output{k: k, parent: m, silent: c.Silent, count: count, store: store}
	r := k.run(req, out)
	out.close()
	if r.Err != nil {
		if !c.Silent {
			k.publish(m, "error", map[string]any{"ename": r.Err.Name, "evalue": r.Err.Value, "traceback": nonNilStrings(r.Err.Traceback)})
		}
		content := errorContent(r.Err, count)
		content["user_expressions"] = map[string]any{}
		content["payload"] = []any{}
		queued = -1
		if stopOnError {
			queued = len(k.shellQ)
		}
		reply("execute_reply", content)
		return queued
	}
	ue := r.UserExpressions
	if ue == nil {
		ue = map[string]any{}
	}
	payload := r.Payload
	if payload == nil {
		payload = []map[string]any{}
	}
	reply("execute_reply", executeOK{Status: "ok", ExecutionCount: count, UserExpressions: ue, Payload: payload})
	return -1
}

// job is one execution handed to the execution goroutine.
type job struct {
	ctx  context.Context
	req  ExecuteRequest
	out  Output
	done chan ExecuteReply // buffered: an abandoned execution still finishes its send
}

// executor runs jobs until its channel is closed (shutdown, or an
// execution it was running was abandoned and a new executor took over).
func (k *Kernel) executor(jobs <-chan job) {
	for j := range jobs {
		j.done <- k.execOne(j)
	}
}

// execOne turns an interpreter panic into an error reply.
func (k *Kernel) execOne(j job) (r ExecuteReply) {
	defer func() {
		if p := recover(); p != nil {
			r = k.panicReply(p)
		}
	}()
	return k.cfg.Interp.Execute(j.ctx, j.req, j.out)
}

// run calls the interpreter on the execution goroutine so an interrupt can
// cancel it, a stuck interpreter can be abandoned and a panic cannot take
// the kernel down.
func (k *Kernel) run(req ExecuteRequest, out Output) ExecuteReply {
	ctx, cancel := context.WithCancel(k.ctx)
	defer cancel()
	done := make(chan ExecuteReply, 1)
	k.execMu.Lock()
	k.execCancel = cancel
	if k.jobs == nil {
		k.jobs = make(chan job)
		go k.executor(k.jobs)
	}
	jobs := k.jobs
	k.execMu.Unlock()
	defer func() {
		k.execMu.Lock()
		k.execCancel = nil
		k.execMu.Unlock()
	}()
	jobs <- job{ctx: ctx, req: req, out: out, done: done}
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
	}
	// Interrupted: give the interpreter a moment to notice and return.
	t := time.NewTimer(k.cfg.InterruptGrace)
	defer t.Stop()
	select {
	case r := <-done:
		return r
	case <-t.C:
		k.logf("execution did not stop within %v of the interrupt; abandoning it", k.cfg.InterruptGrace)
		// Its goroutine ends when the interpreter returns; the next
		// execution gets a new one.
		k.execMu.Lock()
		if k.jobs == jobs {
			close(k.jobs)
			k.jobs = nil
		}
		k.execMu.Unlock()
		return ExecuteReply{Err: &Error{Name: "Interrupted", Value: "execution interrupted",
			Traceback: []string{"Interrupted: execution interrupted (the interpreter did not stop in time)"}}}
	}
}

func (k *Kernel) panicReply(p any) ExecuteReply {
	stack := string(debug.Stack())
	k.logf("interpreter panic: %v\n%s", p, stack)
	tb := []string{fmt.Sprintf("Panic: %v", p), "The kernel recovered; this is a bug in huntbook. Stack:"}
	tb = append(tb, strings.Split(strings.TrimRight(stack, "\n"), "\n")...)
	return ExecuteReply{Err: &Error{Name: "Panic", Value: fmt.Sprint(p), Traceback: tb}}
}

// guard turns a panic in a non-execute interpreter call into an error reply.
func (k *Kernel) guard(content *map[string]any) {
	if p := recover(); p != nil {
		r := k.panicReply(p)
		*content = errorContent(r.Err, -1)
	}
}

// abortQueued answers the execute requests already queued on shell when a
// cell failed with stop_on_error with status "aborted" (and, for
// AbortWindow, those arriving after); other requests are served normally.
// Requests that arrive later run: the user has seen the error by then.
func (k *Kernel) abortQueued(queued int) {
	deadline := time.Now().Add(k.cfg.AbortWindow)
	for {
		var m *Message
		if queued > 0 {
			m = <-k.shellQ
			queued--
		} else {
			wait := time.Until(deadline)
			if wait <= 0 {
				return
			}
			select {
			case m = <-k.shellQ:
			case <-time.After(wait):
				return
			case <-k.ctx.Done():
				return
			}
		}
		if m.Header.MsgType != "execute_request" {
			k.dispatch(k.shell, m, false)
			continue
		}
		k.publish(m, "status", statusBusy)
		k.send(k.shell, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.count})
		k.publish(m, "status", statusIdle)
	}
}

func errorContent(e *Error, count int) map[string]any {
	c := map[string]any{"status": "error", "ename": e.Name, "evalue": e.Value, "traceback": nonNilStrings(e.Traceback)}
	if count >= 0 {
		c["execution_count"] = count
	}
	return c
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// runeToByte converts a code-point offset (the protocol's unit) to a byte
// offset in s, clamped to its length.
func runeToByte(s string, n int) int {
	if n < 0 {
		return len(s)
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// byteToRune converts a byte offset in s to a code-point offset.
func byteToRune(s string, b int) int {
	if b < 0 {
		b = 0
	}
	if b > len(s) {
		b = len(s)
	}
	return utf8.RuneCountInString(s[:b])
}

func (k *Kernel) complete(m *Message) (content map[string]any) {
	defer k.guard(&content)
	var c struct {
		Code      string `json:"code"`
		CursorPos *int   `json:"cursor_pos"`
	}
	_ = json.Unmarshal(m.Content, &c)
	cur := len(c.Code)
	if c.CursorPos != nil {
		cur = runeToByte(c.Code, *c.CursorPos)
	}
	r := k.cfg.Interp.Complete(c.Code, cur)
	matches := r.Matches
	if matches == nil {
		matches = []string{}
	}
	md := r.Metadata
	if md == nil {
		md = map[string]any{}
	}
	start, end := r.CursorStart, r.CursorEnd
	if len(matches) == 0 {
		start, end = cur, cur
	}
	return map[string]any{"status": "ok", "matches": matches, "cursor_start": byteToRune(c.Code, start),
		"cursor_end": byteToRune(c.Code, end), "metadata": md}
}

func (k *Kernel) inspect(m *Message) (content map[string]any) {
	defer k.guard(&content)
	var c struct {
		Code        string `json:"code"`
		CursorPos   *int   `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	_ = json.Unmarshal(m.Content, &c)
	cur := len(c.Code)
	if c.CursorPos != nil {
		cur = runeToByte(c.Code, *c.CursorPos)
	}
	r := k.cfg.Interp.Inspect(c.Code, cur, c.DetailLevel)
	data, md := r.Data, r.Metadata
	if data == nil || !r.Found {
		data = map[string]any{}
	}
	if md == nil {
		md = map[string]any{}
	}
	return map[string]any{"status": "ok", "found": r.Found && len(data) > 0, "data": data, "metadata": md}
}

func (k *Kernel) isComplete(m *Message) (content map[string]any) {
	defer k.guard(&content)
	var c struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(m.Content, &c)
	r := k.cfg.Interp.IsComplete(c.Code)
	switch r.Status {
	case "complete", "invalid", "unknown":
		return map[string]any{"status": r.Status}
	case "incomplete":
		return map[string]any{"status": r.Status, "indent": r.Indent}
	}
	return map[string]any{"status": "unknown"}
}

func (k *Kernel) historyReply(m *Message) map[string]any {
	var c struct {
		Output  bool   `json:"output"`
		Raw     bool   `json:"raw"`
		Type    string `json:"hist_access_type"`
		Session int    `json:"session"`
		Start   int    `json:"start"`
		Stop    int    `json:"stop"`
		N       int    `json:"n"`
		Pattern string `json:"pattern"`
		Unique  bool   `json:"unique"`
	}
	_ = json.Unmarshal(m.Content, &c)
	var entries []HistoryEntry
	switch c.Type {
	case "tail":
		entries = k.history.Tail(c.N)
	case "range":
		entries = k.history.Range(c.Session, c.Start, c.Stop)
	case "search":
		entries = k.history.Search(c.Pattern, c.N, c.Unique)
	default:
		return errorContent(&Error{Name: "ProtocolError", Value: fmt.Sprintf("history_request: unknown hist_access_type %q", c.Type)}, -1)
	}
	hist := make([]any, 0, len(entries))
	for _, e := range entries {
		if c.Output {
			var out any
			if e.HasOut {
				out = e.Output
			}
			hist = append(hist, []any{e.Session, e.Line, []any{e.Input, out}})
		} else {
			hist = append(hist, []any{e.Session, e.Line, e.Input})
		}
	}
	return map[string]any{"status": "ok", "history": hist}
}

// header makes a new message header answering (or caused by) parent.
func (k *Kernel) header(msgType string, parent *Message) Header {
	user := "kernel"
	if parent != nil && parent.Header.Username != "" {
		user = parent.Header.Username
	}
	return Header{MsgID: newMsgID(), Username: user, Session: k.session, Date: isoNow(), MsgType: msgType, Version: ProtocolVersion}
}

// send replies to req on a ROUTER socket.
func (k *Kernel) send(sock *zmtp.Socket, req *Message, msgType string, content any) {
	k.emit(sock, req.Identities, req, msgType, content)
}

// publish broadcasts on iopub with parent as the parent header (nil: none).
func (k *Kernel) publish(parent *Message, msgType string, content any) {
	k.emit(k.iopub, [][]byte{[]byte("kernel." + k.session + "." + msgType)}, parent, msgType, content)
}

// Contents sent with every request, encoded once.
var (
	statusBusy = []byte(`{"execution_state":"busy"}`)
	statusIdle = []byte(`{"execution_state":"idle"}`)
)

// executeInput and executeOK are the contents of every cell's
// execute_input and execute_reply; structs encode without sorting map keys.
type executeInput struct {
	Code           string `json:"code"`
	ExecutionCount int    `json:"execution_count"`
}

type executeOK struct {
	Status          string           `json:"status"`
	ExecutionCount  int              `json:"execution_count"`
	UserExpressions map[string]any   `json:"user_expressions"`
	Payload         []map[string]any `json:"payload"`
}

// encodeContent encodes a message's content; []byte is taken as already
// encoded. HTML is not escaped (json.Marshal would turn every < of an HTML
// table into \u003c): the bytes are JSON for clients, not HTML to embed.
func encodeContent(content any) ([]byte, error) {
	if b, ok := content.([]byte); ok {
		return b, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(content); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (k *Kernel) emit(sock *zmtp.Socket, ids [][]byte, parent *Message, msgType string, content any) {
	body, err := encodeContent(content)
	if err != nil {
		k.logf("encoding %s: %v", msgType, err)
		body, _ = json.Marshal(errorContent(&Error{Name: "EncodingError", Value: err.Error()}, -1))
	}
	msg := &Message{Identities: ids, Header: k.header(msgType, parent), Content: body}
	if parent != nil {
		msg.Parent = parent.RawHeader
	}
	frames, err := k.sig.Encode(msg)
	if err != nil {
		k.logf("encoding %s: %v", msgType, err)
		return
	}
	if err := sock.Send(frames); err != nil {
		k.logf("sending %s: %v", msgType, err)
	}
}

// output publishes one execution's output; it is closed when the
// execution ends so late writes from an abandoned interpreter are dropped.
type output struct {
	k      *Kernel
	parent *Message
	silent bool
	count  int
	store  bool

	mu     sync.Mutex
	closed bool
}

func (o *output) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
}

func (o *output) pub(msgType string, content map[string]any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || o.silent {
		return
	}
	o.k.publish(o.parent, msgType, content)
}

func (o *output) Stream(name, text string) {
	if name != "stderr" {
		name = "stdout"
	}
	o.pub("stream", map[string]any{"name": name, "text": text})
}

func (o *output) Display(data, metadata map[string]any) {
	o.pub("display_data", map[string]any{"data": orEmpty(data), "metadata": orEmpty(metadata), "transient": map[string]any{}})
}

func (o *output) Result(data, metadata map[string]any) {
	if s, ok := data["text/plain"].(string); ok && o.store {
		o.k.history.SetOutput(o.count, s)
	}
	o.pub("execute_result", map[string]any{"execution_count": o.count, "data": orEmpty(data), "metadata": orEmpty(metadata)})
}

func (o *output) Clear(wait bool) { o.pub("clear_output", map[string]any{"wait": wait}) }

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
