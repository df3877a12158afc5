package memory

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Available is the memory the machine has available now: MemAvailable
// from /proc/meminfo, lowered to the cgroup's limit less its usage where
// there is one (a container's limit binds before the host's memory); 0 if
// unknown (no Linux /proc or cgroup v2).
func Available() float64 {
	var avail float64
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
				var kb float64
				if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb); err == nil {
					avail = kb * 1024
				}
			}
		}
		f.Close()
	}
	limit := readNumber("/sys/fs/cgroup/memory.max")
	used := readNumber("/sys/fs/cgroup/memory.current")
	if limit > 0 && (avail == 0 || limit-used < avail) {
		avail = max(limit-used, 0)
	}
	return avail
}

// Machine is the most memory a run can have: MemTotal plus SwapTotal from
// /proc/meminfo, lowered to the cgroup's limit where there is one; 0 if
// unknown.
func Machine() float64 {
	total := meminfo("MemTotal") + meminfo("SwapTotal")
	if limit := readNumber("/sys/fs/cgroup/memory.max"); limit > 0 && (total == 0 || limit < total) {
		total = limit
	}
	return total
}

// meminfo is the value of a /proc/meminfo field in bytes (0 if absent).
func meminfo(field string) float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			var kb float64
			if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// readNumber is the number a file holds (a cgroup's memory.max); 0 if
// the file is absent or holds no number ("max").
func readNumber(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		return 0
	}
	return v
}
