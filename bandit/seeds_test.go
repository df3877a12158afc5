package bandit

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/train"
)

func TestParseSeeds(t *testing.T) {
	if got, err := ParseSeeds("3, 1,18446744073709551615"); err != nil || !slices.Equal(got, []uint64{3, 1, 1<<64 - 1}) {
		t.Errorf("got %v, %v", got, err)
	}
	for s, want := range map[string]string{
		"":      `bandit: seeds "": "" is not a seed (a whole number)`,
		"1,,2":  `bandit: seeds "1,,2": "" is not a seed (a whole number)`,
		"1,-2":  `bandit: seeds "1,-2": "-2" is not a seed (a whole number)`,
		"1.5":   `bandit: seeds "1.5": "1.5" is not a seed (a whole number)`,
		"2,1,2": `bandit: seeds "2,1,2": seed 2 listed twice`,
		// A long list is cut in the message (one short line).
		strings.Repeat("1", 70) + ",x": `bandit: seeds "` + strings.Repeat("1", 60) + `...": "` + strings.Repeat("1", 30) + `..." is not a seed (a whole number)`,
		strings.Repeat("7,", 40) + "x": `bandit: seeds "` + strings.Repeat("7,", 30) + `...": seed 7 listed twice`,
	} {
		_, err := ParseSeeds(s)
		var se *SettingError
		if !errors.As(err, &se) || err.Error() != want {
			t.Errorf("%q: %v, want %s", s, err, want)
		}
	}
}

// The mean of two runs, worked by hand, over the steps both recorded.
func TestMeanResult(t *testing.T) {
	agents := []Agent{{Name: "bbb", Thompson: true}, {Name: "greedy"}}
	a := &Result{Agents: agents, Steps: []int{100, 200}, Regret: [][]float64{{10, 30}, {0, 5}}, Done: 200}
	b := &Result{Agents: agents, Steps: []int{100, 200, 300}, Regret: [][]float64{{20, 50, 70}, {35, 40, 45}}, Done: 300}
	m := MeanResult([]*Result{a, b})
	if !slices.Equal(m.Steps, []int{100, 200}) || m.Done != 200 || len(m.Agents) != 2 ||
		!slices.Equal(m.Regret[0], []float64{15, 40}) || !slices.Equal(m.Regret[1], []float64{17.5, 22.5}) {
		t.Errorf("mean %+v", m)
	}
	if one := MeanResult([]*Result{b}); !slices.Equal(one.Regret[0], b.Regret[0]) || one.Done != 300 {
		t.Errorf("one run: %+v", one)
	}
}

func readRegret(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Each seed's files are those of a single run with that seed; the mean is
// theirs, step by step; the summary lists each seed's final regret.
func TestSeedsRun(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	job := Job{Config: small(300, 1), Data: d, DataName: "built-in", Format: "svg"}
	job.Config.Every = 10 // progress every 100 steps
	dir := t.TempDir()
	var progress bytes.Buffer
	var stages []string
	s := Seeds{Job: job, Seeds: []uint64{4, 2}}
	s.Job.Progress, s.Job.Stage = &progress, func(st string) { stages = append(stages, st) }
	s.Job.Build = &train.Build{BLAS: "gonum", GoVersion: "go1"}
	sum, err := s.Run(context.Background(), dir)
	if err != nil || sum == nil {
		t.Fatalf("summary %v, %v", sum, err)
	}
	names := []string{"regret.csv", "regret.svg", "summary.json"}
	single := map[uint64]*Summary{}
	for _, seed := range s.Seeds {
		one := t.TempDir()
		j := job
		j.Config.Seed = seed
		if single[seed], err = j.Run(context.Background(), one); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"regret.csv", "regret.svg"} {
			want, _ := os.ReadFile(filepath.Join(one, f))
			got, err := os.ReadFile(filepath.Join(dir, SeedPrefix(seed)+f))
			if err != nil || !bytes.Equal(got, want) || len(want) == 0 {
				t.Errorf("seed %d: %s differs from a single run's (%v)", seed, f, err)
			}
		}
		names = append(names, SeedPrefix(seed)+"regret.csv", SeedPrefix(seed)+"regret.svg", SeedPrefix(seed)+"summary.json")
		if b, err := os.ReadFile(filepath.Join(dir, SeedPrefix(seed)+"summary.json")); err != nil || !bytes.Contains(b, []byte(`"blas": "gonum"`)) {
			t.Errorf("seed %d: summary.json without the build (%v)", seed, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("files %v, want %v", got, names)
	}
	mean, a, b := readRegret(t, filepath.Join(dir, "regret.csv")), readRegret(t, filepath.Join(dir, "seed-4-regret.csv")), readRegret(t, filepath.Join(dir, "seed-2-regret.csv"))
	if len(mean) != 31 || !slices.Equal(mean[0], []string{"step", "bbb", "greedy", "eps5"}) {
		t.Fatalf("mean regret.csv %v", mean)
	}
	for k := 1; k < len(mean); k++ {
		for c := 1; c < 4; c++ {
			m, _ := strconv.ParseFloat(mean[k][c], 64)
			x, _ := strconv.ParseFloat(a[k][c], 64)
			y, _ := strconv.ParseFloat(b[k][c], 64)
			if mean[k][0] != a[k][0] || m != (x+y)/2 {
				t.Errorf("row %d column %d: mean %v of %v and %v", k, c, m, x, y)
			}
		}
	}
	if !sum.Complete || !slices.Equal(sum.SeedsDone, []uint64{4, 2}) || sum.Steps != 300 || len(sum.Agents) != 3 || sum.Data != "built-in" ||
		sum.Build != s.Job.Build {
		t.Errorf("summary %+v", sum)
	}
	for i, ag := range sum.Agents {
		r4, r2 := single[4].Agents[i].Regret, single[2].Agents[i].Regret
		if !slices.Equal(ag.Regret, []float64{r4, r2}) || *ag.MeanRegret != (r4+r2)/2 || *ag.MinRegret != min(r4, r2) || *ag.MaxRegret != max(r4, r2) ||
			ag.PoisonEaten[1] != single[2].Agents[i].PoisonEaten || ag.EdiblePassed[0] != single[4].Agents[i].EdiblePassed {
			t.Errorf("agent %+v", ag)
		}
	}
	if !strings.Contains(progress.String(), "bandit: seed 2 (2 of 2): step 300 of 300 (") || !strings.HasSuffix(progress.String(), " s, ETA 0s for all seeds)\n") {
		t.Errorf("progress %q", progress.String())
	}
	if !slices.Equal(stages, []string{"bandit (after step 300 of 300), seed 4 (1 of 2)", "bandit (after step 300 of 300), seed 2 (2 of 2)"}) {
		t.Errorf("stages %q", stages)
	}
	var table bytes.Buffer
	sum.WriteTable(&table)
	if lines := strings.Split(table.String(), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[0], "2 seeds (4, 2) of 300 steps, ") ||
		!strings.HasPrefix(lines[1], "  bbb      ") || !strings.Contains(lines[1], " to ") {
		t.Errorf("table:\n%s", table.String())
	}
	for _, bad := range [][]uint64{nil, {1, 2, 1}} {
		if _, err := (Seeds{Job: job, Seeds: bad}).Run(context.Background(), t.TempDir()); err == nil {
			t.Errorf("seeds %v: no error", bad)
		}
	}
}

// Stopped during the second seed: the first seed's files, the second's
// regret so far, and the mean over the first alone without a figure.
func TestSeedsRunInterrupted(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	c := small(300, 1)
	c.Every = 10 // progress every 100 steps: three calls a seed
	c.Progress = func(int) {
		if calls++; calls == 4 {
			cancel()
		}
	}
	dir := t.TempDir()
	sum, err := Seeds{Job: Job{Config: c, Data: d}, Seeds: []uint64{1, 2, 3}}.Run(ctx, dir)
	if !errors.Is(err, context.Canceled) || sum == nil || sum.Complete || !slices.Equal(sum.SeedsDone, []uint64{1}) {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	mean, first := readRegret(t, filepath.Join(dir, "regret.csv")), readRegret(t, filepath.Join(dir, "seed-1-regret.csv"))
	if !slices.EqualFunc(mean, first, slices.Equal) {
		t.Errorf("mean %v, want seed 1's %v", mean, first)
	}
	for f, want := range map[string]bool{"regret.png": false, "summary.json": true, "seed-1-regret.png": true,
		"seed-2-regret.csv": true, "seed-2-summary.json": true, "seed-2-regret.png": false, "seed-3-regret.csv": false} {
		if _, err := os.Stat(filepath.Join(dir, f)); (err == nil) != want {
			t.Errorf("%s: %v", f, err)
		}
	}
	// Stopped during the first seed: its regret so far, no mean, the
	// summary's mean null (no seed completed).
	calls = 0
	c.Progress = func(int) {
		if calls++; calls == 1 {
			cancel()
		}
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	dir1 := t.TempDir()
	sum, err = Seeds{Job: Job{Config: c, Data: d}, Seeds: []uint64{1, 2}}.Run(ctx, dir1)
	if !errors.Is(err, context.Canceled) || sum == nil || len(sum.SeedsDone) != 0 || sum.Agents[0].MeanRegret != nil || len(sum.Agents[0].Regret) != 0 {
		t.Fatalf("stopped in the first seed: %+v, %v", sum, err)
	}
	var table bytes.Buffer
	sum.WriteTable(&table)
	if !strings.HasPrefix(table.String(), "0 seeds () of 300 steps") || strings.Count(table.String(), "\n") != 1 {
		t.Errorf("table %q", table.String())
	}
	if names := dirNames(t, dir1); !slices.Equal(names, []string{"seed-1-regret.csv", "seed-1-summary.json", "summary.json"}) {
		t.Errorf("stopped in the first seed: wrote %v", names)
	}
	// Stopped before the first step: nothing written, as Job.Run (a run
	// folder keeps its previous run).
	start := t.TempDir()
	sum, err = Seeds{Job: Job{Config: c, Data: d}, Seeds: []uint64{1, 2}}.Run(ctx, start)
	if !errors.Is(err, context.Canceled) || sum != nil {
		t.Errorf("cancelled at the start: %+v, %v", sum, err)
	}
	if names := dirNames(t, start); len(names) != 0 {
		t.Errorf("cancelled at the start: wrote %v", names)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// One seed: "1 seed", the mean to one decimal.
func TestSeedsTable(t *testing.T) {
	mean, least, most := 982.5, 975.0, 990.0
	var b bytes.Buffer
	SeedsSummary{Steps: 10, SeedsDone: []uint64{7}, Seconds: 1.25, Threads: 2,
		Agents: []SeedsAgent{{Name: "bbb", MeanRegret: &mean, MinRegret: &least, MaxRegret: &most}}}.WriteTable(&b)
	want := "1 seed (7) of 10 steps, 1.2 s on 2 threads; final cumulative regret, mean (least to greatest):\n  bbb           982.5  (975 to 990)\n"
	if b.String() != want {
		t.Errorf("table\n%q, want\n%q", b.String(), want)
	} // A name longer than 8 widens the column for every row.
	b.Reset()
	SeedsSummary{Steps: 10, SeedsDone: []uint64{7}, Seconds: 1.25, Threads: 2,
		Agents: []SeedsAgent{{Name: "bbb", MeanRegret: &mean, MinRegret: &least, MaxRegret: &most},
			{Name: "bbb-eps0.5", MeanRegret: &mean, MinRegret: &least, MaxRegret: &most}}}.WriteTable(&b)
	want = "1 seed (7) of 10 steps, 1.2 s on 2 threads; final cumulative regret, mean (least to greatest):\n" +
		"  bbb             982.5  (975 to 990)\n  bbb-eps0.5      982.5  (975 to 990)\n"
	if b.String() != want {
		t.Errorf("table\n%q, want\n%q", b.String(), want)
	}
}

// RunSeeds is Job.Run without seeds and Seeds.Run with them; a run that
// wrote nothing gives a nil Table (not a nil summary inside one).
func TestRunSeeds(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	j := Job{Config: small(100, 1), Data: d, Format: "svg"}
	table, wrote, err := j.RunSeeds(context.Background(), t.TempDir(), nil)
	if _, ok := table.(*Summary); !ok || err != nil || wrote != "regret.csv, regret.svg, summary.json" {
		t.Errorf("one run: %T, %q, %v", table, wrote, err)
	}
	dir := t.TempDir()
	table, wrote, err = j.RunSeeds(context.Background(), dir, []uint64{2, 3})
	if _, ok := table.(*SeedsSummary); !ok || err != nil || !strings.HasSuffix(wrote, "seed-N-regret.svg, seed-N-summary.json (each seed's run)") ||
		!slices.Contains(dirNames(t, dir), "seed-3-regret.csv") {
		t.Errorf("seeds: %T, %q, %v", table, wrote, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, seeds := range [][]uint64{nil, {1, 2}} {
		if table, _, err := j.RunSeeds(ctx, t.TempDir(), seeds); table != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("seeds %v, cancelled at the start: %v, %v", seeds, table, err)
		}
	}
}
