package sweep

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// PlanRun reads and checks the grid, puts --seeds in, and merges the
// Slurm options; CollectPlan reads it back; TaskPoint finds a task's
// point. Each refusal is worded with the flags.
func TestSettingsPlanRunTaskCollect(t *testing.T) {
	dir := t.TempDir()
	grid := filepath.Join(dir, "g.grid")
	if err := os.WriteFile(grid, []byte("hidden = [4, 8]\nslurm.time = 10:00\nslurm.mem = 1G\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var s Settings
	settingflag.SetDefaults(&s)
	s.Grid, s.Out, s.Seeds = grid, filepath.Join(dir, "sw"), "1,2"
	metrics := []string{"val_nlpd"}
	out, plan, err := s.PlanRun(metrics, SlurmOptions{Mem: "2G"}, anyFlag)
	if err != nil {
		t.Fatal(err)
	}
	if out != s.Out || len(plan.Points) != 4 {
		t.Errorf("folder %s, %d points; want %s, 4 (2 widths x 2 seeds)", out, len(plan.Points), s.Out)
	}
	if fmt.Sprint(plan.Slurm) != "map[mem:2G time:10:00]" {
		t.Errorf("slurm options %v", plan.Slurm)
	}
	for _, tc := range []struct {
		edit func(*Settings)
		want string
	}{
		{func(s *Settings) { s.Jobs = 0 }, "--jobs 0: want 1 to 1024 (each job is a bbb train process)"},
		{func(s *Settings) { s.Grid = filepath.Join(dir, "none.grid") }, "--grid " + filepath.Join(dir, "none.grid") + ": "},
		{func(s *Settings) { s.Seeds = "1,x" }, "--seeds"},
		{func(s *Settings) { s.X = "lr" }, "--x lr"},
		{func(s *Settings) { s.Out = grid }, "--out " + grid + ": "},
	} {
		e := s
		tc.edit(&e)
		if _, _, err := e.PlanRun(metrics, SlurmOptions{}, anyFlag); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v", tc.want, err)
		}
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := plan.Write(out); err != nil {
		t.Fatal(err)
	}
	s.Collect = out
	if d, p, err := s.CollectPlan(); err != nil || d != out || len(p.Points) != 4 {
		t.Errorf("collect: %s, %v", d, err)
	}
	s.Collect = dir
	if _, _, err := s.CollectPlan(); err == nil || !strings.HasPrefix(err.Error(), "--collect ") {
		t.Errorf("collect a folder without a sweep: %v", err)
	}
	s.Task = out
	for _, tc := range []struct {
		args []string
		env  string
		want string // the index, or the error
	}{
		{[]string{"3"}, "", "3"},
		{[]string{"0"}, "", "0"},
		{nil, "2", "2"},
		{[]string{"1"}, "2", "1"},
		{nil, "", "--task " + out + ": give the point's index after it (0 to 3), or set SLURM_ARRAY_TASK_ID"},
		{[]string{"4"}, "", "--task " + out + ` "4": want a point index from 0 to 3`},
		{[]string{""}, "1", "--task " + out + ` "": want a point index from 0 to 3`},
		{[]string{"1", "2"}, "", `sweep --task: unexpected argument "2"`},
	} {
		_, i, err := s.TaskPoint(tc.args, tc.env)
		got := strconv.Itoa(i)
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%q %q: got %s, want %s", tc.args, tc.env, got, tc.want)
		}
	}
}

// SlurmOptions has a flag for each of SlurmKeys, under the key's name.
func TestSlurmOptionsKeys(t *testing.T) {
	names := settingflag.Names(&SlurmOptions{})
	var flags []string
	for _, n := range names {
		flags = append(flags, strings.TrimPrefix(n, "--"))
	}
	slices.Sort(flags)
	keys := slices.Sorted(slices.Values(SlurmKeys))
	if !slices.Equal(flags, keys) {
		t.Errorf("flags %v, want SlurmKeys %v", flags, keys)
	}
	o := SlurmOptions{Partition: "p", Time: "t", Mem: "m", Gres: "g", CPUsPerTask: "4", Account: "a", QOS: "q"}
	want := map[string]string{"partition": "p", "time": "t", "mem": "m", "gres": "g", "cpus-per-task": "4", "account": "a", "qos": "q"}
	if m := o.Map(); !maps.Equal(m, want) || !slices.Equal(slices.Sorted(maps.Keys(m)), keys) {
		t.Errorf("map %v, want %v", m, want)
	}
}
