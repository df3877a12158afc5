//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --save and --cpuprofile replace only what they wrote before (a model, a
// profile) or an empty file: a typo or a symbolic link naming some other
// file is refused, before any work, and that file is kept.
func TestSaveReplacesOnlyModels(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("notes.txt", "precious\n")
	write("empty.npz", "")
	if err := os.Symlink("notes.txt", "link.npz"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "notes.txt"), "abs.prof"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{tinyTrain("--save", "notes.txt"), "--save notes.txt: exists and is not a bbb model file"},
		{tinyTrain("--save", "link.npz"), "--save link.npz -> notes.txt: exists and is not a bbb model file"},
		{tinyTrain("--cpuprofile", "notes.txt"), "--cpuprofile notes.txt: exists and is not a CPU profile"},
		{tinyTrain("--cpuprofile", "abs.prof"), "--cpuprofile abs.prof -> " + filepath.Join(dir, "notes.txt") + ": exists and is not a CPU profile"},
	} {
		before := snapshot(t, dir)
		code, stdout, stderr := runCLI(tc.args...)
		line := strings.TrimSpace(stderr)
		if code != exitUsage || strings.Contains(line, "\n") || stdout != "" || !strings.Contains(line, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, stdout %.40q; want exit 2 and one line with %q", tc.args, code, stderr, stdout, tc.want)
		}
		if after := snapshot(t, dir); !mapsEqual(before, after) {
			t.Errorf("%q: files changed: %.200q", tc.args, diffKeys(before, after))
		}
	}
	// What they wrote, and empty files, they replace.
	for i := 0; i < 2; i++ {
		args := tinyTrain("--save", "empty.npz", "--cpuprofile", "c.prof", "--out", "r")
		if code, _, stderr := runCLI(args...); code != 0 {
			t.Fatalf("run %d: %q: exit %d: %s", i, args, code, stderr)
		}
	}
	if b, err := os.ReadFile("notes.txt"); err != nil || string(b) != "precious\n" {
		t.Errorf("notes.txt now %.40q, %v", b, err)
	}
}
