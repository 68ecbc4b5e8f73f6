package providers

import "context"

type promptKey struct{}

// WithPrompt returns ctx carrying show, through which a provider that signs
// in interactively shows its instructions (the device code to enter at
// microsoft.com/devicelogin). A notebook passes the cell's output: the
// kernel's stderr is a server log that nobody reading the notebook sees.
func WithPrompt(ctx context.Context, show func(msg string)) context.Context {
	return context.WithValue(ctx, promptKey{}, show)
}

// PromptFrom is the function WithPrompt put in ctx, or nil.
func PromptFrom(ctx context.Context) func(msg string) {
	show, _ := ctx.Value(promptKey{}).(func(string))
	return show
}
