package data

import "fmt"

// Fitted is a CSV data set as a regression run uses it: its splits in the
// data's own units, the Scaler fit on its training rows (the run
// standardises with it, and a saved model keeps it), and its column names.
type Fitted struct {
	Raw    Set
	Scaler Scaler
	Table  Table // the column names (XNames, YName); Rows counts no rows here
	// TrainSHA256 and ValSHA256 are the SHA-256 of the files' bytes as they
	// were read (FileSHA256 of them, unchanged; ValSHA256 empty without a
	// validation file).
	TrainSHA256, ValSHA256 string
}

// Inputs is the number of input columns.
func (f *Fitted) Inputs() int { return len(f.Table.XNames) }

// Rows is the number of rows of both splits.
func (f *Fitted) Rows() int { return f.Raw.Train.Len() + f.Raw.Val.Len() }

// A ScaleError is training rows that cannot be standardised (their
// scaler fails Scaler.Validate). LoadCSV bounds every value so that
// LoadFitted does not meet it (MaxCSVValue, MaxStandardScore); it is kept
// as a check.
type ScaleError struct{ Err error }

func (e *ScaleError) Error() string {
	return fmt.Sprintf("data: the training rows cannot be standardised: %v", e.Err)
}

func (e *ScaleError) Unwrap() error { return e.Err }

// LoadFitted reads c's files (LoadCSV, whose errors it returns as they
// are) and fits the Scaler to the training rows.
func LoadFitted(c CSVData, seed uint64) (*Fitted, error) {
	raw, tab, err := LoadCSV(c, seed)
	if err != nil {
		return nil, err
	}
	sc := FitScaler(raw.Train)
	if err := sc.Validate(len(tab.XNames)); err != nil {
		return nil, &ScaleError{Err: err}
	}
	// The digests of the bytes parsed, not of the files read again: a file
	// replaced meanwhile would record another file's digest, and the
	// model would resume from neither.
	return &Fitted{Raw: raw, Scaler: sc, Table: tab, TrainSHA256: tab.sha256, ValSHA256: tab.valSHA256}, nil
}
