package job

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// peakRSSMiB reads the process's peak resident set (VmHWM) from /proc.
func peakRSSMiB() float64 { return procStatusMiB("VmHWM:") }

// rssMiB reads the current resident set (VmRSS).
func rssMiB() float64 { return procStatusMiB("VmRSS:") }

func procStatusMiB(key string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				kb, _ := strconv.ParseFloat(fs[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
