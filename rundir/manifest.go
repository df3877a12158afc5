package rundir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Marker is the manifest's name inside a run folder.
const Marker = ".bbb-run"

// manifest is the content of Marker. A stage gets one in state "staging"
// when it is made (every regular file in it was written by the run that
// made it); Commit replaces it by one in state "complete" that lists the
// files.
type manifest struct {
	Format  string   `json:"format"` // "bbb-run"
	Version int      `json:"version"`
	Command string   `json:"command"`
	State   string   `json:"state"` // "staging" or "complete"
	Files   []string `json:"files,omitempty"`
}

const (
	formatName    = "bbb-run"
	stateStaging  = "staging"
	stateComplete = "complete"
)

// provenance is what a folder's marker proves about its files.
type provenance int

const (
	// noMarker: no marker, or one bbb could not read (a folder from
	// before the manifest, or a marker cut short by a kill).
	noMarker provenance = iota
	// legacyMarker: bbb's marker from before the manifest (a text line).
	legacyMarker
	staging
	complete
)

type marker struct {
	kind provenance
	m    manifest
}

func readMarker(dir string) marker {
	b, err := os.ReadFile(filepath.Join(dir, Marker))
	if err != nil {
		return marker{kind: noMarker}
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil || m.Format != formatName {
		if strings.HasPrefix(string(b), "a bbb run directory") {
			return marker{kind: legacyMarker}
		}
		return marker{kind: noMarker}
	}
	switch m.State {
	case stateComplete:
		return marker{kind: complete, m: m}
	case stateStaging:
		return marker{kind: staging, m: m}
	}
	return marker{kind: noMarker}
}

// owns reports whether a regular file name in a folder with this marker
// was written by bbb: a complete manifest's listed files, and every file
// of a leftover stage (inStage: a folder this protocol made under a
// random name) whose manifest is a staging one. A folder without a
// manifest, or with the marker of bbb versions before it (which did not
// list their files), owns no file: bbb cannot tell its own from a user's
// precious.npz or pred.csv, so it deletes none of them.
func (mk marker) owns(name string, inStage bool) bool {
	if name == Marker+".tmp" { // the protocol's own, cut short by a kill
		return true
	}
	switch mk.kind {
	case complete:
		return slices.Contains(mk.m.Files, name)
	case staging:
		return inStage
	}
	return false
}

// command is the command that wrote the folder, "" if no manifest says.
func (mk marker) command() string {
	if mk.kind == complete || mk.kind == staging {
		return mk.m.Command
	}
	return ""
}

// isSide reports names the protocol keeps beside a run folder: inside a
// folder they belong to a run into one of its subfolders, and are carried.
func isSide(name string) bool {
	return name != Marker && strings.HasPrefix(name, ".") && strings.Contains(name, ".bbb-")
}

// writeMarker writes dir's manifest whole (a temporary file renamed over
// it), so a kill leaves the old one or the new one.
func writeMarker(dir string, m manifest) error {
	m.Format, m.Version = formatName, 2
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, Marker+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, Marker))
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
