package rundir

import (
	"strconv"
	"strings"
)

// mountDecision reports whether path (symlinks resolved) is a mount
// point: its device differs from its parent's, or /proc/self/mountinfo
// (given as text; "" where there is none) names it as one, which also
// catches a bind mount from the same file system.
func mountDecision(path string, dev, parentDev uint64, mountinfo string) bool {
	if dev != parentDev {
		return true
	}
	for _, line := range strings.Split(mountinfo, "\n") {
		// ID parent major:minor root mount-point options ...
		if f := strings.Fields(line); len(f) >= 5 && unescapeMount(f[4]) == path {
			return true
		}
	}
	return false
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
