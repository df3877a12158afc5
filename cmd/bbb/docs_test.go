package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The documents a user reads: every bbb command in their ```sh blocks must
// name a subcommand that exists and only flags it defines, and every
// relative link must point at a file, so the docs cannot drift from the CLI.
func docPages(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(root, "README.md"), filepath.Join(root, "BENCHMARKS.md"))
	sort.Strings(pages)
	return pages
}

// docCommand is one bbb command line found in a page.
type docCommand struct {
	where string   // page:line
	args  []string // the arguments after the program name
}

// The ways the docs run the CLI: installed, built by make, the CUDA build,
// from source, or a binary in the working directory.
var docPrograms = []string{"bbb", "bin/bbb", "bin/bbb-cuda", "go run ./cmd/bbb", "./bbb"}

// shellWords splits a command line as sh would for plain words and quotes
// (no expansions: the docs use none in bbb commands).
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// commandsIn returns the bbb commands of the ```sh blocks of a page: lines
// joined at a trailing backslash, comments cut, and each part of a line
// split at &&, ||, ; and | checked on its own.
func commandsIn(t *testing.T, page string) []docCommand {
	t.Helper()
	f, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []docCommand
	inSh, pending, start := false, "", 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inSh = !inSh && (trimmed == "```sh" || trimmed == "```bash")
			pending = ""
			continue
		}
		if !inSh {
			continue
		}
		if pending == "" {
			start = n
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if strings.HasSuffix(strings.TrimSpace(line), `\`) {
			pending += strings.TrimSuffix(strings.TrimSpace(line), `\`) + " "
			continue
		}
		full := pending + line
		pending = ""
		for _, part := range regexp.MustCompile(`&&|\|\||;|\|`).Split(full, -1) {
			part = strings.TrimSpace(part)
			for _, prog := range docPrograms {
				if part == prog || strings.HasPrefix(part, prog+" ") {
					cmds = append(cmds, docCommand{
						where: filepath.Base(page) + ":" + strconv.Itoa(start),
						args:  shellWords(strings.TrimPrefix(part, prog)),
					})
					break
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// subcommands reads the command names from `bbb help`.
func subcommands(t *testing.T) map[string]bool {
	t.Helper()
	code, out, _ := runCLI("help")
	if code != 0 {
		t.Fatalf("bbb help: exit %d", code)
	}
	names := map[string]bool{}
	inList := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "commands:"):
			inList = true
		case inList && strings.HasPrefix(line, "  "):
			names[strings.Fields(line)[0]] = true
		case inList && strings.TrimSpace(line) == "":
			inList = false
		}
	}
	if len(names) < 3 {
		t.Fatalf("bbb help lists %d commands; cannot read its list:\n%s", len(names), out)
	}
	return names
}

var flagLine = regexp.MustCompile(`(?m)^  -([A-Za-z0-9][A-Za-z0-9-]*)`)

// flagsOf reads a subcommand's flag names from its own `-h` text (the flag
// package's defaults listing), as a user sees them.
func flagsOf(t *testing.T, sub string) map[string]bool {
	t.Helper()
	_, out, errOut := runCLI(sub, "-h")
	names := map[string]bool{"h": true, "help": true}
	for _, m := range flagLine.FindAllStringSubmatch(out+errOut, -1) {
		names[m[1]] = true
	}
	return names
}

// Commands documented before the branch that adds them is merged: the test
// fails once the command exists, so the entry cannot outlive its reason.
var pendingCommands = map[string]string{}

var numberWord = regexp.MustCompile(`^-[0-9.]`)

func TestDocsCommandsUseRealFlags(t *testing.T) {
	subs := subcommands(t)
	flags := map[string]map[string]bool{}
	total := 0
	for _, page := range docPages(t) {
		for _, c := range commandsIn(t, page) {
			total++
			if len(c.args) == 0 || strings.HasPrefix(c.args[0], "-") {
				continue // `bbb` or `bbb -h`: the usage text
			}
			sub := c.args[0]
			if !subs[sub] {
				if why, ok := pendingCommands[sub]; ok {
					t.Logf("%s: bbb %s is not a command yet (%s)", c.where, sub, why)
					continue
				}
				t.Errorf("%s: bbb %s: no such subcommand (bbb help lists %v)", c.where, sub, keys(subs))
				continue
			}
			if _, ok := pendingCommands[sub]; ok {
				t.Errorf("bbb %s exists now: remove it from pendingCommands", sub)
			}
			if flags[sub] == nil {
				flags[sub] = flagsOf(t, sub)
			}
			for _, w := range c.args[1:] {
				if w == "-" || !strings.HasPrefix(w, "-") || numberWord.MatchString(w) {
					continue // a value: stdout, a word, a negative number
				}
				name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
				if !flags[sub][name] {
					t.Errorf("%s: bbb %s %s: no such flag (bbb %s -h)", c.where, sub, w, sub)
				}
			}
		}
	}
	if total < 10 {
		t.Fatalf("found only %d documented bbb commands: is the extraction broken?", total)
	}
	t.Logf("%d documented bbb commands checked", total)
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestDocsLinksPointAtFiles(t *testing.T) {
	links := 0
	for _, page := range docPages(t) {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(data), "\n") {
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target, _, _ := strings.Cut(m[1], "#")
				if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				if _, err := os.Stat(filepath.Join(filepath.Dir(page), target)); err != nil {
					t.Errorf("%s:%d: link %s: %v", filepath.Base(page), n+1, m[1], err)
				}
			}
		}
	}
	if links < 5 {
		t.Fatalf("found only %d relative links: is the extraction broken?", links)
	}
}
