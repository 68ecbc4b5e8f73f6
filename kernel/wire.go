package kernel

import "github.com/huntbook/huntbook/jupyter"

// The wire format is shared with the notebook runner's client and lives in
// package jupyter; these names keep the kernel's code short.

// ProtocolVersion is the Jupyter messaging protocol version this kernel speaks.
const ProtocolVersion = jupyter.ProtocolVersion

// Header is a Jupyter message header.
type Header = jupyter.Header

// Message is one Jupyter message with its routing identities.
type Message = jupyter.Message

// ErrBadSignature is returned for a message whose HMAC does not match; such
// messages are dropped, never executed.
var ErrBadSignature = jupyter.ErrBadSignature

type signer = jupyter.Signer

func newSigner(scheme, key string) (*signer, error) { return jupyter.NewSigner(scheme, key) }
func newMsgID() string                              { return jupyter.NewMsgID() }
func isoNow() string                                { return jupyter.Now() }
