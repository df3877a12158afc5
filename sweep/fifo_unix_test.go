//go:build unix

package sweep

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO as the grid file or as a sweep folder's sweep.json is refused at
// once: opening one for reading would wait for a writer.
func TestReadFIFO(t *testing.T) {
	dir := t.TempDir()
	grid := filepath.Join(dir, "g.grid")
	if err := syscall.Mkfifo(grid, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, PlanFile), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan [2]error, 1)
	go func() {
		_, errGrid := ReadGrid(grid)
		_, errPlan := ReadPlan(dir)
		done <- [2]error{errGrid, errPlan}
	}()
	select {
	case errs := <-done:
		if errs[0] == nil || errs[0].Error() != grid+": not a regular file: a FIFO" {
			t.Errorf("ReadGrid of a FIFO: %v", errs[0])
		}
		if errs[1] == nil || !strings.Contains(errs[1].Error(), "(sweep.json: not a regular file: a FIFO)") {
			t.Errorf("ReadPlan of a FIFO: %v", errs[1])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO is waiting for a writer")
	}
}
