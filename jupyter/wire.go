package jupyter

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
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
// disables signing.
type Signer struct {
	key []byte
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
	mac := s.mac()
	for _, f := range frames {
		mac.Write(f)
	}
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

func (s *Signer) mac() hash.Hash { return hmac.New(sha256.New, s.key) }

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
	hdr, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent, meta, content := nonEmpty(m.Parent), nonEmpty(m.Metadata), nonEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), s.sign(hdr, parent, meta, content), hdr, parent, meta, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// NewMsgID returns a random UUID-shaped message id.
func NewMsgID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Now is the header date format clients expect (ISO 8601, microseconds, UTC).
func Now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }
