// Package jupyter owns the Jupyter messaging protocol's wire format and
// connection files, shared by both ends: the kernel (which serves it) and
// the notebook runner (which drives a kernel as a client). It knows nothing
// of KQL or of sockets' roles; see the Jupyter client documentation,
// "Messaging in Jupyter", protocol 5.3.
package jupyter

// SignInMetadata is the display_data metadata key, set to true, of an
// output that asks the analyst to sign in (the device code to enter at
// microsoft.com/devicelogin): a batch runner shows it on its terminal at
// once, since nobody reads the saved notebook while the run waits.
const SignInMetadata = "huntbook_sign_in"
