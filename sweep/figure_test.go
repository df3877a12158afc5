package sweep

import (
	"path/filepath"
	"testing"
)

// FigureAxes: --x and --by as given, else the first lists of more than one
// value (the seed is never an axis); a name that is no such list, the
// same axis twice, or --by on a grid whose only list --x takes, is an
// error naming the flag; a grid of no list draws no figure.
func TestFigureAxes(t *testing.T) {
	for _, c := range []struct {
		grid, x, by   string
		wantX, wantBy string
		wantOK        bool
		wantErr       string
	}{
		{"hidden = [4, 8]\n", "", "", "hidden", "", true, ""},
		{"hidden = [4, 8]\nlr = [0.1, 0.2]\n", "", "", "hidden", "lr", true, ""},
		{"hidden = [4, 8]\nlr = [0.1, 0.2]\n", "lr", "", "lr", "hidden", true, ""},
		{"hidden = [4, 8]\nlr = [0.1, 0.2]\n", "", "hidden", "lr", "hidden", true, ""},
		{"hidden = [4, 8]\nlr = [0.1]\nseed = [1, 2]\n", "", "", "hidden", "", true, ""},
		{"lr = [0.1]\nseed = [1, 2]\n", "", "", "", "", false, ""},
		{"hidden = [4, 8]\n", "", "hidden", "", "", false, "--by hidden: the grid's only axis with more than one value, which the figure draws along x (leave --by out)"},
		{"hidden = [4, 8]\n", "hidden", "hidden", "", "", false, "--by hidden: the same axis as --x"},
		{"hidden = [4, 8]\nlr = [0.1]\n", "lr", "", "", "", false, "--x lr: not an axis of the grid with more than one value (want one of: hidden)"},
		{"hidden = [4, 8]\n", "", "seed", "", "", false, "--by seed: the seeds are averaged over, not an axis (each point of the figure is their mean; want one of: hidden)"},
	} {
		plan := testPlan(t, c.grid, filepath.Join(t.TempDir(), "sw"))
		x, by, ok, err := FigureAxes(plan, c.x, c.by)
		if x != c.wantX || by != c.wantBy || ok != c.wantOK || (err == nil) != (c.wantErr == "") || err != nil && err.Error() != c.wantErr {
			t.Errorf("%q --x %q --by %q: %q, %q, %v, %v; want %q, %q, %v, %q", c.grid, c.x, c.by, x, by, ok, err, c.wantX, c.wantBy, c.wantOK, c.wantErr)
		}
	}
}
