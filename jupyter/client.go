package jupyter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Client drives one kernel process over the protocol, as jupyter_client
// does: it starts the process with a fresh connection file, connects shell,
// control and iopub, and runs cells one at a time.
type Client struct {
	Conn    ConnectionInfo
	signer  *Signer
	session string
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
	dir     string

	shell, control, iopub zmq4.Socket
	replies               map[string]chan *Message // shell, control
	pubs                  chan *Message
	closeOnce             sync.Once
}

// StartOptions say how to launch a kernel.
type StartOptions struct {
	// Argv is the kernel command line; "{connection_file}" is replaced by
	// the connection file's path, as in a kernelspec.
	Argv []string
	// Env is added to the environment of the kernel process.
	Env []string
	// Stderr receives the kernel's standard error (nil: discarded).
	Stderr io.Writer
	// StartTimeout bounds waiting for the first kernel_info_reply (default 60s).
	StartTimeout time.Duration
}

// Start launches a kernel and waits until it answers kernel_info and its
// iopub channel delivers.
func Start(ctx context.Context, opts StartOptions) (*Client, error) {
	if len(opts.Argv) == 0 {
		return nil, errors.New("jupyter: no kernel command")
	}
	dir, err := os.MkdirTemp("", "huntbook-kernel-")
	if err != nil {
		return nil, err
	}
	c := &Client{dir: dir, session: NewMsgID(), exited: make(chan struct{}),
		replies: map[string]chan *Message{"shell": make(chan *Message, 64), "control": make(chan *Message, 16)},
		pubs:    make(chan *Message, 4096)}
	ports, err := freePorts(5)
	if err != nil {
		c.cleanup()
		return nil, err
	}
	c.Conn = ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: ports[0], ControlPort: ports[1],
		IOPubPort: ports[2], StdinPort: ports[3], HBPort: ports[4], Key: NewMsgID(), SignatureScheme: "hmac-sha256"}
	c.signer, _ = NewSigner(c.Conn.SignatureScheme, c.Conn.Key)
	connFile := filepath.Join(dir, "kernel.json")
	b, _ := json.Marshal(c.Conn)
	if err := os.WriteFile(connFile, b, 0o600); err != nil {
		c.cleanup()
		return nil, err
	}
	argv := make([]string, len(opts.Argv))
	for i, a := range opts.Argv {
		argv[i] = strings.ReplaceAll(a, "{connection_file}", connFile)
	}
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Env = append(append(os.Environ(), fmt.Sprintf("JPY_PARENT_PID=%d", os.Getpid())), opts.Env...)
	c.cmd.Stderr = opts.Stderr
	if err := c.cmd.Start(); err != nil {
		c.cleanup()
		return nil, fmt.Errorf("jupyter: starting kernel %q: %w", argv[0], err)
	}
	go func() { c.exitErr = c.cmd.Wait(); close(c.exited) }()

	if err := c.connect(); err != nil {
		c.Kill()
		return nil, err
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if err := c.waitReady(ctx, timeout); err != nil {
		c.Kill()
		return nil, err
	}
	return c, nil
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("jupyter: finding a free port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

func (c *Client) connect() error {
	ctx := context.Background()
	id := zmq4.WithID(zmq4.SocketIdentity(c.session))
	c.shell = zmq4.NewDealer(ctx, id)
	c.control = zmq4.NewDealer(ctx, id)
	c.iopub = zmq4.NewSub(ctx)
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{c.shell, c.Conn.ShellPort}, {c.control, c.Conn.ControlPort}, {c.iopub, c.Conn.IOPubPort}} {
		if err := dialRetry(d.s, c.Conn.Endpoint(d.port), c.exited); err != nil {
			return err
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return err
	}
	go c.read(c.shell, c.replies["shell"])
	go c.read(c.control, c.replies["control"])
	go c.read(c.iopub, c.pubs)
	return nil
}

// dialRetry dials until the kernel has bound its ports (zmq4's Dial fails
// rather than waiting for a listener).
func dialRetry(s zmq4.Socket, ep string, exited chan struct{}) error {
	var err error
	for i := 0; i < 300; i++ {
		if err = s.Dial(ep); err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("jupyter: kernel exited before it listened on %s", ep)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("jupyter: connecting to %s: %w", ep, err)
}

func (c *Client) read(s zmq4.Socket, ch chan *Message) {
	for {
		msg, err := s.Recv()
		if err != nil {
			close(ch)
			return
		}
		m, err := c.signer.Decode(msg.Frames)
		if err != nil {
			continue // a bad message from the kernel is dropped, as the kernel drops ours
		}
		ch <- m
	}
}

func (c *Client) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		id, err := c.send(c.shell, "kernel_info_request", map[string]any{})
		if err != nil {
			return err
		}
		if _, err := c.reply(ctx, "shell", id, 2*time.Second); err == nil {
			// The reply came; iopub is ready once a status for it arrives.
			t := time.After(500 * time.Millisecond)
			for {
				select {
				case m := <-c.pubs:
					if parentID(m) == id {
						c.drain()
						return nil
					}
					continue
				case <-t:
				}
				break
			}
		}
		select {
		case <-c.exited:
			return fmt.Errorf("jupyter: kernel exited during start-up: %v", c.exitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
	}
	return fmt.Errorf("jupyter: kernel did not answer kernel_info within %s", timeout)
}

func (c *Client) drain() {
	for {
		select {
		case <-c.pubs:
		default:
			return
		}
	}
}

func (c *Client) send(s zmq4.Socket, msgType string, content any) (string, error) {
	body, err := json.Marshal(content)
	if err != nil {
		return "", err
	}
	m := &Message{Header: Header{MsgID: NewMsgID(), Username: "huntbook", Session: c.session, Date: Now(), MsgType: msgType, Version: ProtocolVersion},
		Content: body}
	frames, err := c.signer.Encode(m)
	if err != nil {
		return "", err
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return "", fmt.Errorf("jupyter: sending %s: %w", msgType, err)
	}
	return m.Header.MsgID, nil
}

func parentID(m *Message) string {
	var h Header
	_ = json.Unmarshal(m.Parent, &h)
	return h.MsgID
}

// reply waits for the reply to request id on a channel.
func (c *Client) reply(ctx context.Context, channel, id string, timeout time.Duration) (*Message, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case m, ok := <-c.replies[channel]:
			if !ok {
				return nil, errors.New("jupyter: connection closed")
			}
			if parentID(m) == id {
				return m, nil
			}
		case <-t.C:
			return nil, fmt.Errorf("jupyter: no reply within %s", timeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.exited:
			return nil, fmt.Errorf("jupyter: kernel died: %v", c.exitErr)
		}
	}
}

// ExecuteReply is the outcome of one cell: the shell reply's content and
// every iopub message the cell produced, in order.
type ExecuteReply struct {
	Status         string          `json:"status"` // ok, error, aborted
	ExecutionCount int             `json:"execution_count"`
	EName          string          `json:"ename"`
	EValue         string          `json:"evalue"`
	Traceback      []string        `json:"traceback"`
	Outputs        []*Message      `json:"-"`
	Raw            json.RawMessage `json:"-"`
}

// ErrCellTimeout is returned by Execute when a cell ran past its timeout;
// the kernel has been sent an interrupt.
var ErrCellTimeout = errors.New("jupyter: cell timed out")

// Execute runs code and collects its output until the kernel is idle again.
// onOutput, when not nil, sees each output message as it arrives (for
// progress and saving as you go). With timeout > 0 a cell that runs longer is
// interrupted and ErrCellTimeout returned along with what it had produced.
func (c *Client) Execute(ctx context.Context, code string, timeout time.Duration, onOutput func(*Message)) (*ExecuteReply, error) {
	id, err := c.send(c.shell, "execute_request", map[string]any{
		"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{},
		"allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		return nil, err
	}
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	rep := &ExecuteReply{}
	gotReply, idle, timedOut := false, false, false
	for !(gotReply && idle) {
		select {
		case m, ok := <-c.pubs:
			if !ok {
				return rep, errors.New("jupyter: iopub closed")
			}
			if parentID(m) != id {
				continue
			}
			switch m.Header.MsgType {
			case "status":
				var st struct {
					ExecutionState string `json:"execution_state"`
				}
				_ = json.Unmarshal(m.Content, &st)
				idle = st.ExecutionState == "idle"
			case "execute_input":
			default:
				rep.Outputs = append(rep.Outputs, m)
				if onOutput != nil {
					onOutput(m)
				}
			}
		case m, ok := <-c.replies["shell"]:
			if !ok {
				return rep, errors.New("jupyter: shell closed")
			}
			if parentID(m) == id {
				gotReply = true
				rep.Raw = m.Content
				_ = json.Unmarshal(m.Content, rep)
			}
		case <-deadline:
			timedOut = true
			deadline = nil
			if err := c.Interrupt(); err != nil {
				return rep, err
			}
		case <-ctx.Done():
			_ = c.Interrupt()
			return rep, ctx.Err()
		case <-c.exited:
			return rep, fmt.Errorf("jupyter: kernel died while running the cell: %v", c.exitErr)
		}
	}
	if timedOut {
		return rep, ErrCellTimeout
	}
	return rep, nil
}

// Interrupt sends interrupt_request on the control channel.
func (c *Client) Interrupt() error {
	id, err := c.send(c.control, "interrupt_request", map[string]any{})
	if err != nil {
		return err
	}
	_, err = c.reply(context.Background(), "control", id, 5*time.Second)
	return err
}

// Shutdown asks the kernel to exit and waits for it; a kernel that does not
// exit in time is killed.
func (c *Client) Shutdown() error {
	id, err := c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	if err == nil {
		_, _ = c.reply(context.Background(), "control", id, 5*time.Second)
	}
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
	c.cleanup()
	return nil
}

// Kill ends the kernel process at once.
func (c *Client) Kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Kill()
		<-c.exited
	}
	c.cleanup()
}

func (c *Client) cleanup() {
	c.closeOnce.Do(func() {
		for _, s := range []zmq4.Socket{c.shell, c.control, c.iopub} {
			if s != nil {
				s.Close()
			}
		}
		os.RemoveAll(c.dir)
	})
}
