package main

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpFlags lists a command's flags, name -> type ("" for a bool), as its
// -h prints them.
// A command that takes no flags (its -h may not even be parsed) has none.
func helpFlags(cmd string) map[string]string {
	_, stdout, _ := runCLI(cmd, "-h")
	flags := map[string]string{}
	line := regexp.MustCompile(`^  -([^\s]+)(?: ([a-z]+))?`)
	for _, l := range strings.Split(stdout, "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			flags[m[1]] = m[2]
		}
	}
	return flags
}

// usageCommands are the commands `bbb help` lists.
func usageCommands() []string {
	var cmds []string
	inList := false
	for _, l := range strings.Split(usage, "\n") {
		switch {
		case l == "commands:":
			inList = true
		case inList && strings.HasPrefix(l, "  "):
			if c := strings.Fields(l)[0]; c != "help" {
				cmds = append(cmds, c)
			}
		case inList:
			inList = false
		}
	}
	return cmds
}

// Every flag of every command has an entry in flagDeps (a new flag without
// one fails here), each condition names a flag of that command, and the
// table names no flag the command lacks.
func TestFlagDepsCoverEveryFlag(t *testing.T) {
	cmds := usageCommands()
	if len(cmds) < 6 {
		t.Fatalf("commands from the usage text: %v", cmds)
	}
	for _, cmd := range cmds {
		flags := helpFlags(cmd)
		if len(flags) == 0 {
			continue // a command without flags
		}
		table, ok := flagDeps[cmd]
		if !ok {
			t.Errorf("%s: no flagDeps table", cmd)
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(flags)) {
			if _, ok := table[name]; !ok {
				t.Errorf("%s --%s: no flagDeps entry (nil if it always has an effect, else when it has one)", cmd, name)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(table)) {
			if _, ok := flags[name]; !ok {
				t.Errorf("%s: flagDeps names --%s, which %s does not take", cmd, name, cmd)
			}
			for _, e := range table[name] {
				if _, ok := flags[e.On]; e.On != "" && !ok {
					t.Errorf("%s --%s: its condition names --%s, which %s does not take", cmd, name, e.On, cmd)
				}
			}
		}
	}
}

// flagMode is a command in one combination of flags: which flags it
// refuses there, and the flag each refusal names.
type flagMode struct {
	cmd      string
	base     []string          // the mode's flags
	sentinel []string          // a bad value checked after flagdeps: the run stops there
	refused  map[string]string // flag -> the flag named with it ("" for the command itself)
}

// Every flag x every mode: set alone on top of a mode's flags, each flag is
// refused (exit 2, one line naming it and the flag that makes it
// ineffective, nothing written) exactly where this table says it does
// nothing, and accepted by the check everywhere else.
func TestFlagDepsEveryFlagEveryMode(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte("x,y\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	prior := map[string]string{"prior-pi": "prior", "prior-sigma1": "prior", "prior-sigma2": "prior"}
	mnistOnlyRefused := map[string]string{"mnist-dir": "preset", "mnist-train": "preset", "mnist-val": "preset",
		"mnist-test": "preset", "val-samples": "preset", "from": "preset", "prune": "preset"}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			maps.Copy(out, m)
		}
		return out
	}
	regression := merge(prior, mnistOnlyRefused, map[string]string{"min-sigma": "likelihood", "kl-weight": "batch-size",
		"lr-gamma": "lr-milestones", "checkpoint-every": "save"})
	classifier := map[string]string{"prior-sigma": "prior", "prune": "from", "checkpoint-every": "save"}
	for _, n := range regressionOnly {
		classifier[n] = "preset"
	}
	stopTrain := []string{"--report-every", "0"}
	modes := []flagMode{
		{"train", nil, stopTrain, merge(regression, map[string]string{"val": "data", "val-split": "data", "x-cols": "data", "y-col": "data"})},
		{"train", []string{"--data", csv}, stopTrain, merge(regression, map[string]string{"points": "data"})},
		{"train", []string{"--data", csv, "--val", csv, "--prior", "mixture", "--likelihood", "hetero", "--batch-size", "8",
			"--lr-milestones", "1", "--save", filepath.Join(dir, "m.npz"), "--no-figures"}, stopTrain,
			merge(mnistOnlyRefused, map[string]string{"points": "data", "val-split": "val", "prior-sigma": "prior", "format": "no-figures"})},
		{"train", []string{"--preset", "mnist"}, stopTrain, classifier},
		{"train", []string{"--preset", "calibrated"}, stopTrain, merge(regression, map[string]string{"val": "data", "val-split": "data", "x-cols": "data", "y-col": "data"})},
		{"bench", nil, []string{"--seconds", "0"}, merge(prior, map[string]string{"min-sigma": "likelihood", "kl-weight": "batch-size",
			"lr-gamma": "lr-milestones", "lr-milestones": ""})},
		{"bench", []string{"--points-list", "100", "--layers-list", "2", "--hidden", "8", "--prior", "mixture", "--likelihood", "hetero", "--batch-size", "8"},
			[]string{"--seconds", "0"}, map[string]string{"points": "points-list", "layers": "layers-list", "hidden-sizes": "hidden",
				"prior-sigma": "prior", "lr-gamma": "lr-milestones", "lr-milestones": ""}},
		{"dot", nil, []string{"--rows", "0"}, merge(prior, map[string]string{"min-sigma": "likelihood", "dtype": "grad"})},
		{"dot", []string{"--prior", "mixture", "--likelihood", "hetero"}, []string{"--rows", "0"}, map[string]string{"prior-sigma": "prior", "dtype": "grad"}},
		{"dot", []string{"--grad"}, []string{"--rows", "0"}, merge(prior, map[string]string{"min-sigma": "likelihood"})},
		{"predict", []string{"--model", csv, "--data", csv}, []string{"--samples", "1"}, nil},
		{"prune", []string{"--model", csv}, []string{"--samples", "0"}, nil},
		{"bandit", nil, []string{"--steps", "0"}, nil},
		{"bandit", []string{"--agents", "greedy,eps5"}, []string{"--steps", "0"}, map[string]string{"prior": "agents", "kl-data": "agents", "likelihood": "agents", "likelihood-sigma": "agents", "init-rho": "agents",
			"rho-lr": "agents", "rho-opt": "agents"}},
		{"bandit", []string{"--agents", "greedy,bbb-eps5"}, []string{"--steps", "0"}, nil}, // (the BBB network at its means)
	}
	// A value each flag parses (the check comes before the values'): an
	// existing file for the paths, a folder for --mnist-dir.
	sample := func(name, typ string) []string {
		switch {
		case typ == "":
			return []string{"--" + name}
		case name == "mnist-dir":
			return []string{"--" + name, dir}
		case typ == "string":
			return []string{"--" + name, csv}
		case typ == "value":
			return []string{"--" + name, "1G"}
		case typ == "float":
			return []string{"--" + name, "0.5"}
		}
		return []string{"--" + name, "1"}
	}
	oneLine := func(s string) bool { return strings.Count(strings.TrimSpace(s), "\n") == 0 }
	for _, m := range modes {
		flags := helpFlags(m.cmd)
		if len(flags) == 0 {
			t.Fatalf("%s -h: no flags", m.cmd)
		}
		outArgs := []string{"--out", out}
		if m.cmd == "dot" {
			outArgs = []string{"--out", filepath.Join(out, "g.dot")}
		}
		tail := append(append(slices.Clone(m.base), outArgs...), m.sentinel...)
		if _, _, stderr := runCLI(append([]string{m.cmd}, tail...)...); strings.Contains(stderr, "has no effect") {
			t.Errorf("%s %v: the mode itself refused: %s", m.cmd, m.base, stderr)
		}
		for n := range m.refused {
			if _, ok := flags[n]; !ok {
				t.Errorf("%s %v: the test names --%s, which %s does not take", m.cmd, m.base, n, m.cmd)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(flags)) {
			args := append(append([]string{m.cmd}, sample(name, flags[name])...), tail...)
			code, _, stderr := runCLI(args...)
			on, refused := m.refused[name]
			switch {
			case refused:
				named := "--" + on
				if on == "" {
					named = "in bbb " + m.cmd
				}
				if code != exitUsage || !oneLine(stderr) || !strings.HasPrefix(stderr, "bbb: --"+name+" ") && !strings.HasPrefix(stderr, "bbb: --"+name+":") ||
					!strings.Contains(stderr, "has no effect") || !strings.Contains(stderr, named) {
					t.Errorf("%v: exit %d, stderr %q: want one line refusing --%s, naming %s", args[1:], code, stderr, name, named)
				}
			case strings.Contains(stderr, "has no effect"):
				t.Errorf("%v: refused: %s", args[1:], stderr)
			}
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused or stopped run wrote --out")
	}
}

// The refusals as a user reads them: the two examples and a few
// more, word for word.
func TestFlagDepsMessages(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte("x,y\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--prior-pi", "0.3"}, "--prior-pi 0.3: has no effect with --prior normal"},
		{[]string{"train", "--points", "500", "--data", csv}, "--points 500: has no effect with --data " + csv},
		{[]string{"train", "--no-figures", "--format", "svg"}, "--format svg: has no effect with --no-figures"},
		{[]string{"train", "--val-split", "0.3"}, "--val-split 0.3: has no effect without --data"},
		{[]string{"train", "--preset", "mnist", "--workers", "2"}, "--workers 2: has no effect with --preset mnist"},
		{[]string{"train", "--mnist-test", "5"}, "--mnist-test 5: has no effect with --preset seed"},
		{[]string{"bench", "--hidden", "8", "--hidden-sizes", "8,16"}, "--hidden-sizes 8,16: has no effect with --hidden 8"},
		{[]string{"bandit", "--agents", "greedy", "--kl-data", "seen"}, "--kl-data seen: has no effect with --agents greedy"},
		{[]string{"sweep", "--grid", csv, "--partition", "gpu"}, "--partition gpu: has no effect with --on local"},
		{[]string{"sweep", "--collect", dir, "--jobs", "2"}, "--jobs 2: has no effect with --collect " + dir},
		{[]string{"sweep", "--grid", csv, "--on", "slurm", "--jobs", "2"}, "--jobs 2: has no effect with --on slurm"},
	} {
		// (and a bad value checked after flagdeps: a broken check does no work)
		stop := map[string][]string{"train": {"--report-every", "0"}, "bench": {"--seconds", "0"}, "bandit": {"--steps", "0"}}[tc.args[0]]
		code, _, stderr := runCLI(append(append(tc.args, "--out", filepath.Join(dir, "out")), stop...)...)
		if code != exitUsage || !strings.HasPrefix(stderr, "bbb: "+tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// With --resume the checkpoint's flags decide: --prior-sigma is refused
// for a model trained with the mixture prior (not on the command line),
// and --prior-pi accepted.
func TestFlagDepsAfterResume(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI("train", "--prior", "mixture", "--epochs", "2", "--report-every", "1", "--points", "100", "--samples", "2",
		"--no-figures", "--no-train-band", "-q", "--save", model, "--out", filepath.Join(dir, "o1")); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "o2")
	code, _, stderr := runCLI("train", "--resume", model, "--prior-sigma", "1", "--epochs", "4", "-q", "--out", out)
	if want := "bbb: --prior-sigma 1: has no effect with --prior mixture"; code != exitUsage || !strings.HasPrefix(stderr, want) {
		t.Errorf("--resume --prior-sigma: exit %d, stderr %q: want %q", code, stderr, want)
	}
	if _, _, stderr := runCLI("train", "--resume", model, "--prior-pi", "0.5", "--epochs", "4", "--report-every", "0", "-q", "--out", out); strings.Contains(stderr, "has no effect") {
		t.Errorf("--resume --prior-pi (the checkpoint's mixture prior): refused: %s", stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused run wrote --out")
	}
	// A flag with no effect beside the file's settings is refused as such,
	// not as differing from the file (--points of a --data model); one
	// that differs is named so.
	data := writeTestFile(t, dir, "d.csv", linearRows("a,y", 40, 1, ""))
	dataModel := filepath.Join(dir, "d.npz")
	if code, _, stderr := runCLI(trainArgs("--data", data, "--save", dataModel, "--out", filepath.Join(dir, "o3"))...); code != exitOK {
		t.Fatalf("train --data: exit %d: %s", code, stderr)
	}
	wantUsage(t, []string{"train", "--resume", dataModel, "--epochs", "30", "--points", "100", "--hidden", "9", "--out", out}, "--points 100: has no effect with --data "+data)
	wantUsage(t, []string{"train", "--resume", dataModel, "--epochs", "30", "--hidden", "9", "--out", out}, "--hidden 9: "+dataModel+" was trained with --hidden 8")
}
