package rundir

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// A run folder gets the mode mkdir gives (0777 less the umask), and a
// folder it replaces keeps its own mode.
func TestRunFolderMode(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	writeRun(t, out, "train", map[string]string{"summary.json": "1"})
	mode := func() fs.FileMode {
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode() & (fs.ModePerm | fs.ModeSetgid | fs.ModeSticky)
	}
	if got := mode(); got != 0o750 {
		t.Errorf("new run folder: mode %v, want 0750 (umask 027)", got)
	}
	for _, want := range []fs.FileMode{0o705, 0o775 | fs.ModeSetgid} {
		if err := os.Chmod(out, want); err != nil {
			t.Fatal(err)
		}
		writeRun(t, out, "train", map[string]string{"summary.json": "2"})
		if got := mode(); got != want {
			t.Errorf("replaced run folder: mode %v, want %v kept", got, want)
		}
	}
}

// TestMountChild is a child of TestMountPointRefused, run in its own
// mount namespace with a file system mounted on RUNDIR_MOUNT.
func TestMountChild(t *testing.T) {
	mnt := os.Getenv("RUNDIR_MOUNT")
	if mnt == "" {
		t.Skip("child process only")
	}
	_, err := Open(mnt, "train")
	if err == nil || !strings.Contains(err.Error(), "is a mount point") || !strings.Contains(err.Error(), filepath.Join(mnt, "run")) {
		t.Fatalf("Open(mount point): %v, want a refusal saying to use a folder inside it", err)
	}
	if got := names(t, filepath.Dir(mnt)); !slices.Equal(got, []string{filepath.Base(mnt)}) {
		t.Errorf("beside the mount point: %v", got)
	}
	writeRun(t, filepath.Join(mnt, "run"), "train", map[string]string{"summary.json": "1"})
	if got := mustRead(t, filepath.Join(mnt, "run", "summary.json")); got != "1" {
		t.Errorf("run inside the mount point: %q", got)
	}
	fmt.Println("mount child ok")
}

// --out on a mount point (docker -v host:/out) is refused before any work,
// saying to use a folder inside it: no rename can replace it (EBUSY). Needs
// root and unshare (CI runs as root); the decision itself is
// TestMountDecision's.
func TestMountPointRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	for _, kind := range []string{"tmpfs", "bind"} {
		t.Run(kind, func(t *testing.T) {
			parent := t.TempDir()
			mnt := filepath.Join(parent, "parent", "out")
			src := filepath.Join(parent, "src")
			os.MkdirAll(mnt, 0o755)
			os.Mkdir(src, 0o755)
			mount := `mount -t tmpfs none "$1"`
			if kind == "bind" { // the same file system: st_dev is the parent's
				mount = `mount --bind "$3" "$1"`
			}
			cmd := exec.Command("unshare", "-m", "sh", "-c", mount+` && exec "$2" -test.run='^TestMountChild$' -test.v`, "sh", mnt, os.Args[0], src)
			cmd.Env = append(os.Environ(), "RUNDIR_MOUNT="+mnt)
			b, err := cmd.CombinedOutput()
			if strings.Contains(string(b), "mount:") || strings.Contains(string(b), "unshare:") {
				t.Skipf("cannot mount here: %s", b)
			}
			if err != nil || !strings.Contains(string(b), "mount child ok") {
				t.Fatalf("child: %v\n%s", err, b)
			}
		})
	}
}

// An output that is a link the kernel follows to a pipe (/dev/stdout piped
// into another program: /proc/self/fd/1 -> "pipe:[N]", no path) is named
// as a fifo, with the hint to write "-"; it was "cannot write in
// /proc/PID/fd: no such file or directory".
func TestPlanOutputLinkToAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	path := fmt.Sprintf("/proc/self/fd/%d", w.Fd())
	p := &Plan{Command: "predict"}
	p.OutOrStdout("--out", path)
	want := "--out " + path + ": is a fifo, not a regular file; bbb writes regular files only (- writes to standard output)"
	if err := p.Check(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	// A run folder there: not a directory (it was the lock's "no such file").
	p = &Plan{Command: "train"}
	p.OutDir("--out", path)
	if err := p.Check(); err == nil || err.Error() != "--out "+path+": not a directory" {
		t.Errorf("a run folder linked to a pipe: got %v", err)
	}
}
