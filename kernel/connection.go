package kernel

import "github.com/huntbook/huntbook/jupyter"

// ConnectionInfo is the content of a Jupyter connection file.
type ConnectionInfo = jupyter.ConnectionInfo

// ReadConnectionFile reads and checks a connection file.
func ReadConnectionFile(path string) (ConnectionInfo, error) { return jupyter.ReadConnectionFile(path) }
