package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/internal/linalg"
)

// versionFields runs `bbb version` and reads its `key: value` lines, in
// order.
func versionFields(t *testing.T) (keys []string, values map[string]string) {
	t.Helper()
	code, stdout, stderr := runCLI("version")
	if code != 0 || stderr != "" {
		t.Fatalf("bbb version: exit %d, stderr %q", code, stderr)
	}
	values = map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || v == "" {
			t.Fatalf("line %q: want key: value", line)
		}
		keys = append(keys, k)
		values[k] = v
	}
	return keys, values
}

// `bbb version` prints one `key: value` line per field, each field present
// (an empty one says why: a test binary has no commit recorded).
func TestVersionPrintsEveryField(t *testing.T) {
	keys, got := versionFields(t)
	wantTags, wantCUDA := "none", "not in this build"
	if linalg.Backend() == "openblas" {
		wantTags = "openblas"
	}
	if cudaBuild {
		wantTags, wantCUDA = strings.TrimPrefix(wantTags+",cuda", "none,"), "driver "
	}
	for _, tc := range []struct {
		key, want string
		match     func(got, want string) bool
	}{
		{"version", "", func(g, _ string) bool { return g != "" }},
		{"revision", "", func(g, _ string) bool { return g != "" }},
		{"modified", "", func(g, _ string) bool { return g == "true" || g == "false" || strings.HasPrefix(g, "unknown") }},
		{"commit_time", "", func(g, _ string) bool { return g != "" }},
		{"tags", wantTags, func(g, w string) bool { return g == w }},
		{"go_version", runtime.Version(), func(g, w string) bool { return g == w }},
		{"blas", linalg.Backend(), func(g, w string) bool { return g == w }},
		{"blas_core", linalg.CoreName(), func(g, w string) bool { return g == w || w == "" && g == "none (pure Go)" }},
		{"blas_config", strings.TrimSpace(linalg.Config()), func(g, w string) bool { return g == w || w == "" && g == "none (pure Go)" }},
		{"cuda", wantCUDA, strings.HasPrefix},
		{"cpu", cpuName(), func(g, w string) bool { return g == w || w == "" && g == "unknown" }},
	} {
		if !tc.match(got[tc.key], tc.want) {
			t.Errorf("%s: %q, want %q", tc.key, got[tc.key], tc.want)
		}
	}
	want := []string{"version", "revision", "modified", "commit_time", "tags", "go_version", "blas", "blas_core", "blas_config", "cuda", "cpu"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

// `bbb version --json` parses, says what the text says, and its build
// fields are summary.json's build block: one reader of the build info.
func TestVersionJSONIsSummaryBuild(t *testing.T) {
	code, stdout, stderr := runCLI("version", "--json")
	if code != 0 || stderr != "" {
		t.Fatalf("bbb version --json: exit %d, stderr %q", code, stderr)
	}
	var v binaryInfo
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	_, text := versionFields(t)
	for _, kv := range v.Lines() {
		if text[kv[0]] != kv[1] {
			t.Errorf("%s: text %q, JSON %q", kv[0], text[kv[0]], kv[1])
		}
	}
	var raw map[string]any
	json.Unmarshal([]byte(stdout), &raw)
	for _, k := range []string{"version", "go_version", "blas", "tags", "cuda"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON without %q: %s", k, stdout)
		}
	}

	out := t.TempDir()
	code, _, stderr = runCLI("train", "--epochs", "20", "--points", "200", "--samples", "10", "--report-every", "10", "--no-figures", "-q", "--out", out)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Build map[string]any `json:"build"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	var fromVersion map[string]any
	bb, _ := json.Marshal(v.Build)
	json.Unmarshal(bb, &fromVersion)
	if len(s.Build) == 0 || len(fromVersion) != len(s.Build) {
		t.Errorf("summary.json build %v, version %v", s.Build, fromVersion)
	}
	for k, sv := range s.Build {
		if raw[k] != sv {
			t.Errorf("%s: version --json %v, summary.json %v", k, raw[k], sv)
		}
	}
}

// commandsInUsage are the subcommands `bbb help` lists.
func commandsInUsage(t *testing.T) []string {
	var cmds []string
	_, list, _ := strings.Cut(usage, "commands:\n")
	list, _, _ = strings.Cut(list, "\n\n")
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "help" {
			cmds = append(cmds, f[0])
		}
	}
	if len(cmds) < 7 {
		t.Fatalf("commands %v from the usage text: the list's layout changed?", cmds)
	}
	return cmds
}

// helpFlagKinds reads the flags `bbb CMD -h` lists, and whether each is a
// boolean (listed without a value type).
func helpFlagKinds(help string) map[string]bool {
	isBool := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		rest, ok := strings.CutPrefix(line, "  -")
		if !ok {
			continue
		}
		name, typ, _ := strings.Cut(strings.Split(rest, "\t")[0], " ")
		isBool[name] = typ == ""
	}
	return isBool
}

// Every subcommand's -h exits 0 and prints its usage, its flags and an
// example; the example's flags are flags of that subcommand, each value
// flag with its value.
func TestHelpExamples(t *testing.T) {
	cmds := commandsInUsage(t)
	for name := range examples {
		if !slices.Contains(cmds, name) {
			t.Errorf("example for %q, which bbb help does not list", name)
		}
	}
	for _, cmd := range cmds {
		t.Run(cmd, func(t *testing.T) {
			code, stdout, stderr := runCLI(cmd, "-h")
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if !strings.HasPrefix(stdout, "usage: bbb "+cmd+" [flags]\n  -") {
				t.Errorf("-h does not start with the usage and the flags:\n%s", stdout)
			}
			example := examples[cmd]
			if !strings.HasSuffix(stdout, "\nExample:\n  "+example+"\n") || example == "" {
				t.Fatalf("-h does not end with an example:\n%s", stdout)
			}
			flags := helpFlagKinds(stdout)
			args := strings.Fields(example)
			if len(args) < 2 || args[0] != "bbb" || args[1] != cmd {
				t.Fatalf("example %q: want bbb %s ...", example, cmd)
			}
			for i := 2; i < len(args); i++ {
				name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
				isBool, ok := flags[name]
				switch {
				case !strings.HasPrefix(args[i], "-"):
					t.Errorf("example %q: %q is not a flag (bbb %s takes no arguments)", example, args[i], cmd)
				case !ok:
					t.Errorf("example %q: bbb %s has no flag -%s", example, cmd, name)
				case !isBool && !hasValue:
					if i++; i >= len(args) || strings.HasPrefix(args[i], "-") {
						t.Errorf("example %q: -%s without its value", example, name)
					}
				case isBool && hasValue && value != "true" && value != "false":
					t.Errorf("example %q: -%s=%s", example, name, value)
				}
			}
		})
	}
}

// The examples that run in a moment run as written (in a scratch
// directory: they write relative paths).
func TestQuickExamplesRun(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, cmd := range []string{"version", "dot"} {
		args := strings.Fields(examples[cmd])[1:]
		if code, _, stderr := runCLI(args...); code != 0 {
			t.Errorf("%s: exit %d: %s", examples[cmd], code, stderr)
		}
	}
	if fi, err := os.Stat("graph.dot"); err != nil || fi.Size() == 0 {
		t.Errorf("dot's example wrote no graph.dot: %v", err)
	}
}
