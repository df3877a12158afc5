package modelfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bbb-go/bbb/data"
)

// CheckData: the files of the recorded SHA-256s pass, wherever they are;
// another file is a DataError naming data or val; without SHA-256s (older
// files) the columns by name, then the training rows' scaler.
func TestCheckData(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rows := "a,y\n"
	for i := range 20 {
		rows += string(rune('0'+i%10)) + "," + string(rune('0'+(3*i)%10)) + "\n"
	}
	load := func(train, val string) *data.Fitted {
		d, err := data.LoadFitted(data.CSVData{Train: train, Val: val}, 1)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	train, val := write("d.csv", rows), write("v.csv", "a,y\n1,2\n")
	d := load(train, val)
	f := &File{Model: Model{XNames: []string{"a"}, YName: "y", Scaler: &d.Scaler,
		Data: Data{File: train, Val: val, FileSHA256: d.TrainSHA256, ValSHA256: d.ValSHA256}}}
	if err := f.CheckData(load(write("moved.csv", rows), write("v2.csv", "a,y\n1,2\n"))); err != nil {
		t.Errorf("the same files, moved: %v", err)
	}
	renamed, valZ := write("renamed.csv", "b,z\n"+rows[4:]), write("vz.csv", "b,z\n1,2\n")
	for _, c := range []struct {
		d          *data.Fitted
		old        bool // the file records no SHA-256
		file, want string
	}{
		{load(write("other.csv", rows+"9,9\n"), val), false, "data", "data is not the data it was trained on (not the file whose SHA-256 the model records)"},
		{load(train, write("v3.csv", "a,y\n1,3\n")), false, "val", "val is not the data it was trained on (not the file whose SHA-256 the model records)"},
		{load(renamed, valZ), false, "data", "data is not the data it was trained on (not the file whose SHA-256 the model records)"},
		{load(renamed, valZ), true, "data", "data has the columns b -> z, the model a -> y"},
		{load(write("more.csv", rows+"9,9\n"), val), true, "data", "data is not the data it was trained on (its training rows' means and standard deviations differ)"},
		{load(write("v4.csv", rows), write("v5.csv", "a,y\n5,5\n")), true, "", ""},
	} {
		g := *f
		if c.old {
			g.Model.Data.FileSHA256, g.Model.Data.ValSHA256 = "", ""
		}
		err := g.CheckData(c.d)
		var de *DataError
		if c.want == "" && err != nil || c.want != "" && (!errors.As(err, &de) || de.File != c.file || err.Error() != c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
}

// Moved: a recorded file gone is moved; one there is moved only if the
// model records its SHA-256 and the file there has another; a file the
// model does not record never is.
func TestMoved(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	f := &File{Model: Model{Data: Data{File: p, FileSHA256: abc}}}
	old := &File{Model: Model{Data: Data{File: p}}} // (an older build's: no SHA-256)
	if f.Moved("data") || old.Moved("data") || f.Moved("val") {
		t.Errorf("the file in place: moved %v (older file %v), val %v", f.Moved("data"), old.Moved("data"), f.Moved("val"))
	}
	if err := os.WriteFile(p, []byte("abd"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !f.Moved("data") || old.Moved("data") {
		t.Errorf("another file at the path: moved %v (older file %v), want true (false)", f.Moved("data"), old.Moved("data"))
	}
	os.Remove(p)
	os.Symlink(filepath.Join(dir, "nothing"), p)
	if !f.Moved("data") || !old.Moved("data") {
		t.Errorf("a link to nothing at the path: moved %v (older file %v)", f.Moved("data"), old.Moved("data"))
	}
}
