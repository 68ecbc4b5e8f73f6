package jupyter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ProtocolVersion is the Jupyter messaging protocol version this kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper.
const delimiter = "<IDS|MSG>"

// Header is a Jupyter message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Username string `json:"username"`
	Session  string `json:"session"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message with its routing identities. Parent header,
// metadata and content stay raw JSON on the way in so that they are signed
// and echoed back exactly as received.
type Message struct {
	Identities [][]byte
	Header     Header
	RawHeader  json.RawMessage // the header as received, echoed as the parent of replies
	Parent     json.RawMessage // the parent header, "{}" when none
	Metadata   json.RawMessage
	Content    json.RawMessage
	Buffers    [][]byte
}

// ErrBadSignature is returned by Decode for a message whose HMAC does not
// match; such messages must be dropped, never executed.
var ErrBadSignature = errors.New("jupyter: message signature does not match")

// Signer signs and verifies messages with a connection's key; an empty key
// disables signing. It is safe for concurrent use.
type Signer struct {
	key  []byte
	macs sync.Pool // hash.Hash: keyed HMACs, Reset between messages
}

// NewSigner checks the connection file's scheme; only hmac-sha256 (or no
// key at all) is supported.
func NewSigner(scheme, key string) (*Signer, error) {
	if key == "" {
		return &Signer{}, nil
	}
	if scheme != "" && scheme != "hmac-sha256" {
		return nil, fmt.Errorf("jupyter: unsupported signature_scheme %q (want hmac-sha256)", scheme)
	}
	return &Signer{key: []byte(key)}, nil
}

// sign returns the hex HMAC-SHA256 of the four signed frames, or "" when
// signing is off.
func (s *Signer) sign(frames ...[]byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	// Keying an HMAC hashes the key into two states; a pooled one is
	// keyed once and only Reset per message.
	mac, _ := s.macs.Get().(hash.Hash)
	if mac == nil {
		mac = hmac.New(sha256.New, s.key)
	}
	for _, f := range frames {
		mac.Write(f)
	}
	var sum [sha256.Size]byte
	mac.Sum(sum[:0])
	mac.Reset()
	s.macs.Put(mac)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum[:])
	return out
}

// Decode parses wire frames: identities, delimiter, signature, header,
// parent header, metadata, content, then buffers. With a key set, the
// signature is checked in constant time and ErrBadSignature returned when it
// is missing or wrong.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if i == len(frames) {
		return nil, errors.New("jupyter: message has no <IDS|MSG> delimiter")
	}
	if len(frames)-i-1 < 5 {
		return nil, fmt.Errorf("jupyter: message has %d frames after the delimiter, want at least 5", len(frames)-i-1)
	}
	sig, hdr, parent, meta, content := frames[i+1], frames[i+2], frames[i+3], frames[i+4], frames[i+5]
	if len(s.key) > 0 {
		want := s.sign(hdr, parent, meta, content)
		if !hmac.Equal(want, sig) {
			return nil, ErrBadSignature
		}
	}
	m := &Message{
		Identities: frames[:i],
		RawHeader:  json.RawMessage(hdr),
		Parent:     nonEmpty(parent),
		Metadata:   nonEmpty(meta),
		Content:    nonEmpty(content),
		Buffers:    frames[i+6:],
	}
	if err := json.Unmarshal(hdr, &m.Header); err != nil {
		return nil, fmt.Errorf("jupyter: bad message header: %w", err)
	}
	if m.Header.MsgType == "" {
		return nil, errors.New("jupyter: message header has no msg_type")
	}
	return m, nil
}

func nonEmpty(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	return json.RawMessage(b)
}

// Encode renders m as wire frames, signing them.
func (s *Signer) Encode(m *Message) ([][]byte, error) {
	hdr := m.Header.AppendJSON(make([]byte, 0, 160))
	parent, meta, content := nonEmpty(m.Parent), nonEmpty(m.Metadata), nonEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), s.sign(hdr, parent, meta, content), hdr, parent, meta, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// NewMsgID returns a random (version 4) UUID as a message id.
func NewMsgID() string { return uuid.NewString() }

// dateLayout is the header date format clients expect (ISO 8601,
// microseconds, UTC), the one ipykernel writes.
const dateLayout = "2006-01-02T15:04:05.000000Z"

// Now is the current time in the header date format.
func Now() string { return time.Now().UTC().Format(dateLayout) }

// AppendJSON appends h as a JSON object, the same one json.Marshal writes,
// without reflection: every message the kernel sends has a new header.
func (h *Header) AppendJSON(b []byte) []byte {
	b = append(b, `{"msg_id":`...)
	b = appendString(b, h.MsgID)
	b = append(b, `,"username":`...)
	b = appendString(b, h.Username)
	b = append(b, `,"session":`...)
	b = appendString(b, h.Session)
	b = append(b, `,"date":`...)
	b = appendString(b, h.Date)
	b = append(b, `,"msg_type":`...)
	b = appendString(b, h.MsgType)
	b = append(b, `,"version":`...)
	b = appendString(b, h.Version)
	return append(b, '}')
}

// appendString appends s as a JSON string. Plain ASCII, what header
// fields almost always are, is copied as is; anything else goes through
// encoding/json so the escaping is exactly its own.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
