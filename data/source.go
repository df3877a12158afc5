package data

// A Source makes a data set's training and validation splits from a seed,
// so that a training loop can take the seed's curve (CurveConfig), a
// user's CSV files (CSVData) or MNIST (MNISTConfig) alike. A source that
// draws nothing at random ignores the seed.
type Source interface {
	Load(seed uint64) (Set, error)
}

var _ = []Source{CurveConfig{}, CSVData{}, MNISTConfig{}}

// Load draws the curve: MakeCurve(c, seed).
func (c CurveConfig) Load(seed uint64) (Set, error) { return MakeCurve(c, seed) }

// Load reads the files in the data's own units: LoadCSV without the table
// of column names (call LoadCSV for them).
func (c CSVData) Load(seed uint64) (Set, error) {
	s, _, err := LoadCSV(c, seed)
	return s, err
}

// Load reads MNIST's training and validation images: LoadMNIST without
// the test images (call LoadMNIST for them). The split is fixed, so seed
// is not used.
func (c MNISTConfig) Load(uint64) (Set, error) {
	d, err := LoadMNIST(c)
	return d.Set, err
}
