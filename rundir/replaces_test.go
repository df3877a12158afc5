package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplacesProfile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		ok            bool
	}{
		{"empty", "", true},
		{"gzip", "\x1f\x8b\x08rest", true},
		{"text", "not a profile", false},
		{"one byte", "\x1f", false},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		err := ReplacesProfile(p)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "is not a CPU profile")) {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
	if !EmptyFile(filepath.Join(dir, "empty")) || EmptyFile(filepath.Join(dir, "gzip")) || EmptyFile(dir) || EmptyFile(filepath.Join(dir, "absent")) {
		t.Error("EmptyFile: an empty regular file only")
	}
}

// ReplacesText lets an output replace an empty file or one whose first line
// holds its mark, and nothing else (a model, a data file).
func TestReplacesText(t *testing.T) {
	dir := t.TempDir()
	check := ReplacesText("predictions", "mean,std_epistemic")
	for name, tc := range map[string]struct {
		body string
		ok   bool
	}{
		"empty":       {"", true},
		"predictions": {"x,mean,std_epistemic,std_total,q0.5\n1,2,3,4,5\n", true},
		"no newline":  {"x,mean,std_epistemic", true},
		"data":        {"x,y\n1,2\n", false},
		"model":       {"PK\x03\x04\x00\x00mean,std_epistemic", false},
		"second line": {"x,y\nmean,std_epistemic\n", false},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		err := check(path)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", name, err, tc.ok)
		}
		if err != nil && err.Error() != "exists and is not predictions, so bbb will not overwrite it; name a new file, or remove it first" {
			t.Errorf("%s: %q", name, err)
		}
	}
	if err := check(filepath.Join(dir, "absent")); err == nil {
		t.Error("an absent file: no error (Plan checks existence first)")
	}
}
