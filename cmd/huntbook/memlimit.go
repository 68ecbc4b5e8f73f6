package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// setMemoryLimit gives the Go runtime a soft memory limit when the user set
// none (GOMEMLIMIT): 70% of the machine's (or the container's) memory. Loaded
// tables are large and long-lived; with a limit the collector runs before the
// heap doubles, so a hunting session's peak stays near its live data instead
// of depending on when the collector last ran.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if total := memoryAvailable(); total > 0 {
		debug.SetMemoryLimit(total / 10 * 7)
	}
}

// memoryAvailable is the cgroup's memory limit when one is set, else the
// machine's total memory, in bytes; 0 when neither can be read.
func memoryAvailable() int64 {
	total := int64(0)
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
					total = kb * 1024
				}
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if lim, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && lim > 0 && (total == 0 || lim < total) {
			total = lim
		}
	}
	return total
}
