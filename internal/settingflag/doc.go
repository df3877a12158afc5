// Package settingflag turns a settings struct into command-line flags: a
// field tagged `flag:"name"` is one flag, with its `default` and `help`
// tags, so that a new setting of a job is one field in one place (its
// name, flag, default and help), and a command line can name the flag of
// any setting its library refuses (Names).
//
// Tags:
//
//	Layers int `flag:"layers" default:"5" help:"variational linear layers"`
//
// Fields may be int, uint64, float64, string, bool (not a named type of
// them) or time.Duration, and must be exported; the fields of an embedded (exported) struct
// count as the struct's own. A field without a flag tag is not a flag; one
// without a default tag defaults to its zero value (or to what the caller
// stores before Register). Misuse is a programming error: a panic naming
// the field.
package settingflag
