package main

import (
	"os"
	"strings"
)

// The batch runner (huntbook run) starts the kernel with these variables to
// pick the provider a notebook runs on, without changing the notebook.
const (
	envProvider  = "HUNTBOOK_PROVIDER"  // provider name (local, or a configured workspace/cluster)
	envWorkspace = "HUNTBOOK_WORKSPACE" // local workspace folders, list-separated
)

// workspacesFromEnv returns the local workspace folders the environment names.
func workspacesFromEnv() []string {
	var dirs []string
	for _, d := range strings.Split(os.Getenv(envWorkspace), string(os.PathListSeparator)) {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}
