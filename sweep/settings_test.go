package sweep

import (
	"testing"
	"time"

	"github.com/bbb-go/bbb/internal/settingflag"
)

// CheckRun refuses the first setting a grid cannot run with, in flag words.
func TestSettingsCheckRun(t *testing.T) {
	metrics := []string{"val_nlpd", "val_rmse", "a", "b", "c", "d", "e"}
	for _, tc := range []struct {
		edit func(*Settings)
		want string // "" for none
	}{
		{func(*Settings) {}, ""},
		{func(s *Settings) { s.On, s.Detach, s.Poll = "slurm", true, time.Second }, ""},
		{func(s *Settings) { s.Grid, s.Out = "", "" }, "sweep: --grid FILE is required (or --collect DIR)"},
		{func(s *Settings) { s.Out, s.On = "", "mars" }, "sweep: --out DIR is required"},
		{func(s *Settings) { s.On, s.Jobs = "mars", 0 }, `--on "mars": want local or slurm`},
		{func(s *Settings) { s.Jobs, s.Poll = 0, 0 }, "--jobs 0: want 1 to 1024 (each job is a bbb train process)"},
		{func(s *Settings) { s.Jobs = MaxJobs + 1 }, "--jobs 1025: want 1 to 1024 (each job is a bbb train process)"},
		{func(s *Settings) { s.Poll, s.Detach = -time.Second, true }, "--poll -1s: need a duration > 0"},
		{func(s *Settings) { s.Detach, s.Metric = true, "x" }, "--detach: only with --on slurm"},
		{func(s *Settings) { s.Metric = "x" }, "--metric x: not a number of bbb train's summary.json (val_nlpd, val_rmse, a, b, c, d, ...)"},
	} {
		var s Settings
		settingflag.SetDefaults(&s)
		s.Grid, s.Out = "g.grid", "out"
		tc.edit(&s)
		err := s.CheckRun(metrics)
		if (err == nil) != (tc.want == "") || (err != nil && err.Error() != tc.want) {
			t.Errorf("%+v: %v, want %q", s, err, tc.want)
		}
	}
}
