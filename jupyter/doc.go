// Package jupyter owns the Jupyter messaging protocol's wire format and
// connection files, shared by both ends: the kernel (which serves it) and
// the notebook runner (which drives a kernel as a client). It knows nothing
// of KQL or of sockets' roles; see the Jupyter client documentation,
// "Messaging in Jupyter", protocol 5.3.
package jupyter
