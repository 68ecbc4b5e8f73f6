package jupyter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSignAndDecode(t *testing.T) {
	keyed, _ := NewSigner("hmac-sha256", "secret")
	other, _ := NewSigner("hmac-sha256", "other")
	open, _ := NewSigner("", "")
	msg := &Message{
		Identities: [][]byte{[]byte("client-1")},
		Header:     Header{MsgID: "m1", MsgType: "execute_request", Session: "s", Version: ProtocolVersion},
		Content:    []byte(`{"code":"print 1"}`),
	}
	good, err := keyed.Encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	tampered := clone(good)
	tampered[len(tampered)-1] = []byte(`{"code":"print 2"}`)
	unsigned := clone(good)
	unsigned[2] = nil
	byOther, _ := other.Encode(msg)
	tests := []struct {
		name    string
		s       *Signer
		frames  [][]byte
		wantErr error
		anyErr  bool
	}{
		{"good signature", keyed, good, nil, false},
		{"tampered content", keyed, tampered, ErrBadSignature, true},
		{"missing signature", keyed, unsigned, ErrBadSignature, true},
		{"signed with another key", keyed, byOther, ErrBadSignature, true},
		{"no key accepts unsigned", open, unsigned, nil, false},
		{"no delimiter", keyed, good[:1], nil, true},
		{"too few frames", keyed, good[:4], nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.s.Decode(tc.frames)
			if (err != nil) != tc.anyErr {
				t.Fatalf("Decode error = %v, want error %v", err, tc.anyErr)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("Decode error = %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				if m.Header.MsgType != "execute_request" || string(m.Identities[0]) != "client-1" || string(m.Content) != `{"code":"print 1"}` {
					t.Errorf("decoded %+v", m)
				}
				if string(m.Parent) != "{}" || string(m.Metadata) != "{}" {
					t.Errorf("empty parent/metadata should decode as {}: %q %q", m.Parent, m.Metadata)
				}
			}
		})
	}
}

func TestSignatureIsHexHMAC(t *testing.T) {
	s, _ := NewSigner("hmac-sha256", "key")
	// HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a published test vector.
	got := string(s.sign([]byte("The quick brown fox "), []byte("jumps over the lazy dog")))
	if want := "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"; got != want {
		t.Errorf("sign = %s, want %s", got, want)
	}
	if _, err := NewSigner("hmac-md5", "key"); err == nil {
		t.Error("hmac-md5 should be refused")
	}
}

func clone(f [][]byte) [][]byte { return append([][]byte(nil), f...) }

func BenchmarkEncodeDecode(b *testing.B) {
	s, _ := NewSigner("hmac-sha256", "secret")
	msg := &Message{
		Identities: [][]byte{[]byte("client")},
		Header:     Header{MsgID: "m", MsgType: "execute_result", Session: "s", Version: ProtocolVersion},
		Content:    []byte(`{"data":{"text/plain":"` + string(make([]byte, 4096)) + `"}}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		f, _ := s.Encode(msg)
		if _, err := s.Decode(f); err != nil {
			b.Fatal(err)
		}
	}
}

// The hand-written header encoder must write exactly what encoding/json
// writes, escapes included.
func TestHeaderAppendJSONMatchesMarshal(t *testing.T) {
	tests := []Header{
		{},
		{MsgID: NewMsgID(), Username: "analyst", Session: "5a1e", Date: Now(), MsgType: "status", Version: ProtocolVersion},
		{Username: `quo"te\back`, Session: "tab\there\nnew", MsgType: "<b>&amp;</b>"},
		{Username: "Jörg 分析", Session: "\u2028\u2029", Date: "\x00\x1f\x7f"},
		{Username: string([]byte{0xff, 'a'})}, // invalid UTF-8
	}
	for _, h := range tests {
		want, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("AppendJSON(%+v)\n got %s\nwant %s", h, got, want)
		}
	}
}

func TestNewMsgIDIsUniqueUUID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewMsgID()
		if len(id) != 36 || id[14] != '4' || strings.Count(id, "-") != 4 {
			t.Fatalf("NewMsgID() = %q, want a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewMsgID() repeated %q", id)
		}
		seen[id] = true
	}
}

// FuzzDecode feeds arbitrary frames to an unsigned connection's decoder:
// malformed messages are errors, never panics.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("id"), []byte(`{"msg_id":"1","msg_type":"execute_request","session":"s","username":"u","date":"","version":"5.3"}`), []byte(`{}`), []byte(`{"code":"1"}`))
	f.Add([]byte(""), []byte(`{"msg_type":""}`), []byte(``), []byte(`null`))
	s, _ := NewSigner("", "")
	f.Fuzz(func(t *testing.T, id, hdr, parent, content []byte) {
		m, err := s.Decode([][]byte{id, []byte(delimiter), nil, hdr, parent, []byte("{}"), content})
		if err == nil && m.Header.MsgType == "" {
			t.Errorf("decoded a message without msg_type from %q", hdr)
		}
		s.Decode([][]byte{hdr, parent, content})
	})
}
