package rundir

import (
	"os"
	"path/filepath"
	"syscall"
)

// IsMountPoint reports whether path (a folder or a file, symlinks
// followed) is a mount point, which no rename can replace (EBUSY).
func IsMountPoint(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	var st, pst syscall.Stat_t
	if syscall.Stat(real, &st) != nil || syscall.Stat(filepath.Dir(real), &pst) != nil {
		return false
	}
	info, _ := os.ReadFile("/proc/self/mountinfo")
	return mountDecision(real, uint64(st.Dev), uint64(pst.Dev), string(info))
}
