// Package zmtp serves the kernel's listening ZeroMQ sockets (ROUTER for
// shell, control and stdin; PUB for iopub; an echoing REP for heartbeat)
// over ZMTP 3.0 with the NULL mechanism, the way Jupyter clients (libzmq,
// pyzmq, zmq4) connect to a kernel.
//
// The connection handshake (greeting, READY and its metadata) is
// github.com/go-zeromq/zmq4's. This package owns what comes after it, the
// hot path of every message: frames are read through a buffer (one read
// system call per burst, not two per frame) and a message's frames are
// written with one write system call (zmq4's sockets write each frame of a
// ROUTER message separately, twice, from a goroutine started per send).
// ROUTER and REP messages are written by the sending goroutine. PUB
// messages are queued for a writer goroutine per subscriber, as libzmq's
// I/O thread does: a publisher never waits for a system call, and messages
// published while a write is under way leave together in the next one.
//
// Semantics follow libzmq where Jupyter depends on them: a ROUTER prefixes
// each received message with the peer's routing id (its Identity property,
// or a generated one) and routes a sent message by its first frame,
// dropping it when no peer has that id; a newer peer with an id in use
// takes it over. A PUB sends a message to each peer subscribed to a prefix
// of its first frame and never receives. A REP here only echoes, which is
// all a Jupyter heartbeat needs.
package zmtp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// Kind is a socket type.
type Kind int

const (
	Router Kind = iota
	Pub
	// Rep echoes every message back to the peer that sent it.
	Rep
)

func (k Kind) zmq() zmq4.SocketType {
	switch k {
	case Pub:
		return zmq4.Pub
	case Rep:
		return zmq4.Rep
	}
	return zmq4.Router
}

// MaxFrame bounds one received frame; a peer announcing a larger one is
// disconnected rather than trusted with an allocation of that size.
const MaxFrame = 1 << 30

// ErrClosed is returned by Recv and Send once the socket is closed.
var ErrClosed = errors.New("zmtp: socket closed")

// Timeouts: a peer has HandshakeTimeout to complete the ZMTP handshake, and
// a write may block for WriteTimeout (a peer that stops reading) before the
// peer is disconnected. libzmq would drop messages at its high-water mark
// instead; a kernel must not stall behind one stuck client either way.
var (
	HandshakeTimeout = 10 * time.Second
	WriteTimeout     = 30 * time.Second
)

// PubBacklog is how many bytes may wait for one PUB subscriber before
// publishers wait for its writer (rather than libzmq's dropping at the
// high-water mark: kernel output is not dropped).
const PubBacklog = 8 << 20

// closeFlush bounds how long Close lets PUB writers send what is queued
// (a kernel's last messages, such as shutdown_reply).
const closeFlush = time.Second

const (
	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
)

// Socket is one bound ZeroMQ socket.
type Socket struct {
	kind Kind
	ln   net.Listener
	path string // ipc socket file to remove on Close

	in     chan [][]byte  // received messages (Router without a handler)
	handle func([][]byte) // ListenFunc's handler

	mu     sync.Mutex
	peers  map[*peer]struct{}
	byID   map[string]*peer // Router routing ids
	nextID uint32
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// Listen binds a socket of kind to endpoint ("tcp://host:port", port 0 for
// any free one, or "ipc://path") and starts accepting peers.
func Listen(kind Kind, endpoint string) (*Socket, error) { return ListenFunc(kind, endpoint, nil) }

// ListenFunc is Listen for a ROUTER whose received messages are given to
// handle, called on the sending peer's reader goroutine (one call at a time
// per peer; peers are concurrent), instead of being queued for Recv: a
// message reaches its consumer without a goroutine switch. A handler that
// blocks stops reading from that peer.
func ListenFunc(kind Kind, endpoint string, handle func(frames [][]byte)) (*Socket, error) {
	network, addr, ok := strings.Cut(endpoint, "://")
	if !ok {
		return nil, fmt.Errorf("zmtp: endpoint %q has no transport (want tcp://host:port or ipc://path)", endpoint)
	}
	s := &Socket{kind: kind, in: make(chan [][]byte, 64), handle: handle, peers: map[*peer]struct{}{},
		byID: map[string]*peer{}, done: make(chan struct{})}
	var err error
	switch network {
	case "tcp":
		if strings.HasPrefix(addr, "*:") {
			addr = addr[1:]
		}
		s.ln, err = net.Listen("tcp", addr)
	case "ipc":
		s.ln, err = net.Listen("unix", addr)
		s.path = addr
	default:
		return nil, fmt.Errorf("zmtp: endpoint %q: unsupported transport %q (want tcp or ipc)", endpoint, network)
	}
	if err != nil {
		return nil, fmt.Errorf("zmtp: listening on %s: %w", endpoint, err)
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the bound address.
func (s *Socket) Addr() net.Addr { return s.ln.Addr() }

// Close stops accepting, disconnects every peer and waits for the socket's
// goroutines to end.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	err := s.ln.Close()
	peers := make([]*peer, 0, len(s.peers))
	for p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	// Let queued PUB messages go out first, then disconnect everyone.
	deadline := time.After(closeFlush)
	for _, p := range peers {
		if p.flushed != nil && p.ready.Load() {
			p.stopWriter()
			select {
			case <-p.flushed:
			case <-deadline:
			}
		}
	}
	for _, p := range peers {
		p.conn.Close()
	}
	s.wg.Wait()
	if s.path != "" {
		os.Remove(s.path)
	}
	return err
}

// Recv returns the next message a ROUTER received, its first frame the
// sender's routing id.
func (s *Socket) Recv() ([][]byte, error) {
	select {
	case m := <-s.in:
		return m, nil
	case <-s.done:
		return nil, ErrClosed
	}
}

// Send writes one message. On a ROUTER, frames[0] is the routing id of the
// peer to send the rest to (none with that id: dropped, as libzmq does).
// On a PUB, every peer subscribed to a prefix of frames[0] gets it all.
// An error is returned only when the socket is closed; a peer that cannot
// be written to is disconnected.
func (s *Socket) Send(frames [][]byte) error {
	if len(frames) == 0 {
		return errors.New("zmtp: empty message")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	switch s.kind {
	case Router:
		p := s.byID[string(frames[0])]
		s.mu.Unlock()
		if p != nil {
			p.send(frames[1:])
		}
	case Pub:
		// Few peers (usually one): copy them so the writes happen unlocked.
		var buf [4]*peer
		targets := buf[:0]
		for p := range s.peers {
			if p.subscribed(frames[0]) {
				targets = append(targets, p)
			}
		}
		s.mu.Unlock()
		for _, p := range targets {
			p.queue(frames)
		}
	default:
		s.mu.Unlock()
		return fmt.Errorf("zmtp: cannot send on a %v socket", s.kind.zmq())
	}
	return nil
}

func (s *Socket) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// A transient accept error (e.g. out of descriptors): back off.
			select {
			case <-s.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		p := &peer{s: s, conn: c}
		if s.kind == Pub {
			p.kick = make(chan struct{}, 1)
			p.flushed = make(chan struct{})
			p.drained = sync.NewCond(&p.wmu)
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.peers[p] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go p.serve()
	}
}

// peer is one connected client.
type peer struct {
	s    *Socket
	conn net.Conn
	id   string // Router routing id

	ready atomic.Bool // the handshake is done

	wmu  sync.Mutex
	wbuf []byte
	dead bool

	// PUB only: messages waiting for the writer goroutine.
	pending  []byte
	spare    []byte
	stopping bool
	kick     chan struct{} // wakes the writer
	flushed  chan struct{} // closed when the writer has ended
	drained  *sync.Cond    // signalled (on wmu) when pending is taken

	smu  sync.Mutex
	subs map[string]int // Pub subscriptions (libzmq counts repeats)
}

func (p *peer) serve() {
	defer p.s.wg.Done()
	defer p.drop()
	zc, err := p.handshake()
	if err != nil {
		if p.flushed != nil {
			close(p.flushed)
		}
		return
	}
	if p.kick != nil {
		p.s.wg.Add(1)
		go p.writer()
	}
	p.ready.Store(true)
	if p.s.kind == Router {
		p.id = zc.Peer.Meta["Identity"]
		p.s.mu.Lock()
		if p.id == "" {
			// libzmq's generated ids: a zero byte, then a counter.
			p.s.nextID++
			var b [5]byte
			binary.BigEndian.PutUint32(b[1:], p.s.nextID)
			p.id = string(b[:])
		}
		p.s.byID[p.id] = p // a newer peer with the same id takes over
		p.s.mu.Unlock()
	}
	r := bufio.NewReaderSize(p.conn, 64<<10)
	for {
		frames, cmd, err := readMsg(r)
		if err != nil {
			return
		}
		if cmd {
			p.command(frames[0])
			continue
		}
		switch p.s.kind {
		case Router:
			msg := make([][]byte, 0, len(frames)+1)
			msg = append(msg, []byte(p.id))
			msg = append(msg, frames...)
			if p.s.handle != nil {
				p.s.handle(msg)
				continue
			}
			select {
			case p.s.in <- msg:
			case <-p.s.done:
				return
			}
		case Pub:
			// ZMTP 3.0 subscriptions: one frame, 1 (subscribe) or 0
			// (cancel) then the prefix. Anything else is ignored.
			if len(frames) == 1 && len(frames[0]) > 0 {
				p.subscribe(frames[0][0] == 1, frames[0][0] == 0, frames[0][1:])
			}
		case Rep:
			p.send(frames)
		}
	}
}

// handshake runs zmq4's ZMTP greeting and NULL handshake on the raw
// connection (it reads exactly what the handshake needs, so the buffered
// reader that follows misses nothing).
func (p *peer) handshake() (*zmq4.Conn, error) {
	p.conn.SetDeadline(time.Now().Add(HandshakeTimeout))
	zc, err := zmq4.Open(p.conn, null.Security(), p.s.kind.zmq(), zmq4.SocketIdentity(""), true, nil)
	if err != nil {
		return nil, err
	}
	p.conn.SetDeadline(time.Time{})
	return zc, nil
}

func (p *peer) drop() {
	if p.kick != nil {
		p.stopWriter()
	}
	p.conn.Close()
	s := p.s
	s.mu.Lock()
	delete(s.peers, p)
	if p.id != "" && s.byID[p.id] == p {
		delete(s.byID, p.id)
	}
	s.mu.Unlock()
}

// command handles a ZMTP command frame: PING gets its PONG, and ZMTP 3.1's
// SUBSCRIBE and CANCEL work as the 3.0 subscription messages do.
func (p *peer) command(body []byte) {
	if len(body) < 1 || len(body) < 1+int(body[0]) {
		return
	}
	name, data := string(body[1:1+int(body[0])]), body[1+int(body[0]):]
	switch name {
	case "PING":
		// PING: a 2-byte TTL, then up to 16 bytes of context echoed back.
		var ctx []byte
		if len(data) >= 2 {
			ctx = data[2:]
			if len(ctx) > 16 {
				ctx = ctx[:16]
			}
		}
		p.sendCommand("PONG", ctx)
	case "SUBSCRIBE", "CANCEL":
		if p.s.kind == Pub {
			p.subscribe(name == "SUBSCRIBE", name == "CANCEL", data)
		}
	}
}

func (p *peer) subscribe(add, cancel bool, prefix []byte) {
	p.smu.Lock()
	defer p.smu.Unlock()
	if p.subs == nil {
		p.subs = map[string]int{}
	}
	k := string(prefix)
	switch {
	case add:
		p.subs[k]++
	case cancel && p.subs[k] > 1:
		p.subs[k]--
	case cancel:
		delete(p.subs, k)
	}
}

func (p *peer) subscribed(topic []byte) bool {
	p.smu.Lock()
	defer p.smu.Unlock()
	for k := range p.subs {
		if bytes.HasPrefix(topic, []byte(k)) {
			return true
		}
	}
	return false
}

// send writes frames as one message with a single write; a failed or
// timed-out write disconnects the peer (a partial message cannot be taken
// back, so the stream would be corrupt).
func (p *peer) send(frames [][]byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.dead {
		return
	}
	b := p.wbuf[:0]
	for i, f := range frames {
		var flag byte
		if i < len(frames)-1 {
			flag = flagMore
		}
		b = appendFrame(b, flag, f)
	}
	p.write(b)
}

// queue adds a message for the PUB writer goroutine, waiting while the
// subscriber's backlog is full.
func (p *peer) queue(frames [][]byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for len(p.pending) >= PubBacklog && !p.dead && !p.stopping {
		p.drained.Wait()
	}
	if p.dead || p.stopping {
		return
	}
	for i, f := range frames {
		var flag byte
		if i < len(frames)-1 {
			flag = flagMore
		}
		p.pending = appendFrame(p.pending, flag, f)
	}
	select {
	case p.kick <- struct{}{}:
	default: // already woken; it takes this message too
	}
}

// writer sends a PUB subscriber's queued messages, everything queued in
// one write, until stopWriter (after a last flush) or a failed write.
func (p *peer) writer() {
	defer p.s.wg.Done()
	defer close(p.flushed)
	for range p.kick {
		p.wmu.Lock()
		b := p.pending
		// The spare becomes the pending buffer and is no longer spare: only
		// a buffer whose write has finished may be kept as the next spare.
		// (Keeping it as spare too once let publishers write into the buffer
		// being sent after a large message, corrupting the stream.)
		p.pending, p.spare = p.spare[:0], nil
		stop := p.stopping
		p.drained.Broadcast()
		p.wmu.Unlock()
		if len(b) > 0 {
			p.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
			if _, err := p.conn.Write(b); err != nil {
				p.wmu.Lock()
				p.dead = true
				p.drained.Broadcast()
				p.wmu.Unlock()
				p.conn.Close()
				return
			}
		}
		if stop {
			return
		}
		if cap(b) <= 256<<10 {
			p.wmu.Lock()
			p.spare = b[:0]
			p.wmu.Unlock()
		}
	}
}

// stopWriter asks the PUB writer to send what is queued and end.
func (p *peer) stopWriter() {
	p.wmu.Lock()
	p.stopping = true
	p.drained.Broadcast()
	p.wmu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *peer) sendCommand(name string, data []byte) {
	body := make([]byte, 0, 1+len(name)+len(data))
	body = append(append(append(body, byte(len(name))), name...), data...)
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if !p.dead {
		p.write(appendFrame(p.wbuf[:0], flagCommand, body))
	}
}

// write is called with wmu held.
func (p *peer) write(b []byte) {
	p.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
	if _, err := p.conn.Write(b); err != nil {
		p.dead = true
		p.conn.Close() // the reader then ends and drops the peer
	}
	if cap(b) <= 256<<10 {
		p.wbuf = b[:0] // keep a modest buffer for the next message
	} else {
		p.wbuf = nil
	}
}

func appendFrame(b []byte, flag byte, f []byte) []byte {
	if len(f) > 255 {
		b = append(b, flag|flagLong)
		b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
	} else {
		b = append(b, flag, byte(len(f)))
	}
	return append(b, f...)
}

// readMsg reads one message (its frames) or one command (cmd set, one
// frame).
func readMsg(r *bufio.Reader) (frames [][]byte, cmd bool, err error) {
	var hdr [9]byte
	for {
		if _, err := io.ReadFull(r, hdr[:2]); err != nil {
			return nil, false, err
		}
		flag := hdr[0]
		size := uint64(hdr[1])
		if flag&flagLong != 0 {
			if _, err := io.ReadFull(r, hdr[2:9]); err != nil {
				return nil, false, err
			}
			size = binary.BigEndian.Uint64(hdr[1:9])
		}
		if size > MaxFrame {
			return nil, false, fmt.Errorf("zmtp: frame of %d bytes exceeds the %d byte limit", size, MaxFrame)
		}
		var body []byte
		if size <= 1<<20 {
			body = make([]byte, size)
			if _, err := io.ReadFull(r, body); err != nil {
				return nil, false, err
			}
		} else {
			// A large frame grows as its bytes arrive: a peer that only
			// announces a gigabyte does not get one allocated.
			var err error
			if body, err = io.ReadAll(io.LimitReader(r, int64(size))); err != nil {
				return nil, false, err
			}
			if uint64(len(body)) != size {
				return nil, false, io.ErrUnexpectedEOF
			}
		}
		if flag&flagCommand != 0 {
			if len(frames) > 0 {
				return nil, false, errors.New("zmtp: command frame inside a message")
			}
			return [][]byte{body}, true, nil
		}
		frames = append(frames, body)
		if flag&flagMore == 0 {
			return frames, false, nil
		}
	}
}
