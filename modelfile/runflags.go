package modelfile

// RunFlags are the settings of f's run by their `bbb train` flag names,
// whatever f's version: a version 1 or 2 file's flags as recorded (values
// FromFlags may refuse included), or those of a version 3 file's Model
// (Model.Flags). bbb train --resume and bbb predict restore a run from
// them.
func (f *File) RunFlags() map[string]string {
	if f.Version < 3 {
		return f.Flags
	}
	return f.Model.Flags()
}
