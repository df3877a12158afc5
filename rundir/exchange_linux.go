package rundir

import (
	"errors"
	"runtime"
	"syscall"
	"unsafe"
)

// renameat2's number: the syscall package lists it only for some
// architectures.
var sysRenameat2 = map[string]uintptr{"amd64": 316, "arm64": 276, "386": 353, "riscv64": 276, "ppc64le": 357, "s390x": 347}[runtime.GOARCH]

const renameExchange = 1 << 1

// exchange swaps two paths atomically (renameat2 RENAME_EXCHANGE).
func exchange(a, b string) error {
	if sysRenameat2 == 0 {
		return errors.ErrUnsupported
	}
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	const atFDCWD = -100
	fd := atFDCWD
	_, _, e := syscall.Syscall6(sysRenameat2, uintptr(fd), uintptr(unsafe.Pointer(pa)), uintptr(fd), uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	if e != 0 {
		return e
	}
	return nil
}
