package kernel

import "context"

// Interpreter is what a language plugs into the kernel, as in xeus: the
// kernel owns transport, protocol, history and execution counting; the
// interpreter only turns code into output.
//
// Code positions (cursor, CursorStart, CursorEnd) are byte offsets into the
// code; the kernel converts to and from the protocol's code points.
//
// Execute runs on its own goroutine; ctx is cancelled when the user
// interrupts. Complete, Inspect and IsComplete may be called while an
// Execute is running (from the control channel), so an interpreter must make
// them safe for that.
type Interpreter interface {
	Info() Info
	Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteReply
	Complete(code string, cursor int) CompleteReply
	Inspect(code string, cursor, detailLevel int) InspectReply
	IsComplete(code string) IsCompleteReply
}

// Shutdowner is optionally implemented by an interpreter that holds
// resources; the kernel calls it once when shutting down.
type Shutdowner interface {
	Shutdown(restart bool)
}

// Info describes the language and the kernel's help, for kernel_info_reply.
type Info struct {
	Banner    string
	HelpLinks []HelpLink
	Language  LanguageInfo
}

// LanguageInfo is kernel_info_reply's language_info.
type LanguageInfo struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	Mimetype          string `json:"mimetype"`
	FileExtension     string `json:"file_extension"`
	PygmentsLexer     string `json:"pygments_lexer,omitempty"`
	CodemirrorMode    any    `json:"codemirror_mode,omitempty"`
	NbconvertExporter string `json:"nbconvert_exporter,omitempty"`
}

// HelpLink is one entry of the help menu.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// ExecuteRequest is an execute_request's content plus what the kernel knows.
type ExecuteRequest struct {
	Code            string
	Silent          bool
	StoreHistory    bool
	UserExpressions map[string]string
	AllowStdin      bool
	StopOnError     bool
	// ExecutionCount is this cell's number (already incremented when
	// StoreHistory is set).
	ExecutionCount int
	// History is the session's input history, for magics that show it.
	History *History
}

// Output sends a running cell's output to the front-ends (iopub). After
// Execute returns, calls are ignored.
type Output interface {
	// Stream writes text to "stdout" or "stderr".
	Stream(name, text string)
	// Display shows a MIME bundle (display_data).
	Display(data, metadata map[string]any)
	// Result shows the cell's result (execute_result, with the cell's count).
	Result(data, metadata map[string]any)
	// Clear clears the cell's output; with wait, only when new output comes.
	Clear(wait bool)
}

// Error is a failed execution's ename, evalue and traceback.
type Error struct {
	Name      string
	Value     string
	Traceback []string
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

// ExecuteReply is what an execution produced besides its output. A nil Err
// means status "ok".
type ExecuteReply struct {
	Err *Error
	// UserExpressions maps each requested expression to its result
	// ({"status":"ok","data":{...},"metadata":{}} or an error object).
	UserExpressions map[string]any
	// Payload holds deprecated-but-used payloads, e.g. {"source":"page",...}.
	Payload []map[string]any
}

// CompleteReply lists completions replacing code[CursorStart:CursorEnd].
type CompleteReply struct {
	Matches     []string
	CursorStart int
	CursorEnd   int
	Metadata    map[string]any
}

// InspectReply is the documentation found at a cursor.
type InspectReply struct {
	Found    bool
	Data     map[string]any
	Metadata map[string]any
}

// IsCompleteReply says whether code is ready to run: "complete",
// "incomplete" (Indent is the next line's indent), "invalid" or "unknown".
type IsCompleteReply struct {
	Status string
	Indent string
}
