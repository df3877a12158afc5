package rundir

// SamePath reports whether a and b, both set, name one file: the same
// absolute path (AbsPath), whether or not it exists, or one existing file
// however spelt (SameFile). Two spellings of a path a run recorded are one
// value.
func SamePath(a, b string) bool {
	return a != "" && b != "" && (AbsPath(a) == AbsPath(b) || SameFile(a, b))
}
