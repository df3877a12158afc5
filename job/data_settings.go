package job

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/data"
)

// DataSettings are a regression's CSV data as a user gives it: the
// training file (Data), a validation file (Val; "": ValSplit of Data's
// rows held out, drawn with the seed), the input columns (XCols,
// comma-separated; "": every column but the target) and the target (YCol;
// "": the last). Each field's tags are its flag, its default and its help
// (internal/settingflag).
type DataSettings struct {
	Data     string  `flag:"data" help:"training data: a CSV file with a header row (default: the seed's generated curve)"`
	Val      string  `flag:"val" help:"validation data: a CSV file with the same columns (default: hold out --val-split of --data)" effect:"data!=: it describes --data"`
	ValSplit float64 `flag:"val-split" default:"0.2" help:"share of --data's rows held out for validation, drawn with --seed" effect:"data!=: it describes --data; val=: --val is the validation set"`
	XCols    string  `flag:"x-cols" help:"comma-separated input columns of --data (default: every column but the target)" effect:"data!=: it describes --data"`
	YCol     string  `flag:"y-col" help:"the target column of --data (default: the last)" effect:"data!=: it describes --data"`
}

// Check checks ValSplit, a share in (0, 1) (a *SettingError).
func (d DataSettings) Check() error {
	if !(d.ValSplit > 0 && d.ValSplit < 1) {
		return &SettingError{Setting: "ValSplit", Value: fmt.Sprint(d.ValSplit), Reason: "need 0 < f < 1"}
	}
	return nil
}

// Load reads Data and Val with the training rows' scaler fitted
// (data.LoadFitted); nil without Data. Every problem is a *SettingError
// naming XCols, or the file (Data or Val) with its file:line:column.
// Check comes first.
func (d DataSettings) Load(seed uint64) (*data.Fitted, error) {
	if d.Data == "" {
		return nil, nil
	}
	cols := data.CSVColumns{YCol: strings.TrimSpace(d.YCol)}
	if d.XCols != "" {
		var err error
		if cols.XCols, err = data.ParseColumns(d.XCols); err != nil {
			return nil, &SettingError{Setting: "XCols", Value: strconv.Quote(d.XCols), Reason: err.Error()}
		}
	}
	fitted, err := data.LoadFitted(data.CSVData{Train: d.Data, Val: d.Val, ValFraction: d.ValSplit, Columns: cols}, seed)
	if se := (*data.ScaleError)(nil); errors.As(err, &se) {
		// (not reached: LoadCSV bounds the values so that it cannot overflow)
		return nil, &SettingError{Setting: "Data", Value: d.Data,
			Reason: fmt.Sprintf("the training rows cannot be standardised (%v): rescale the columns", se.Err)}
	}
	if err != nil {
		setting := "Data"
		if ce := (*data.CSVError)(nil); errors.As(err, &ce) && ce.File == d.Val && d.Val != "" {
			setting = "Val"
		}
		return nil, &SettingError{Setting: setting, Reason: err.Error()}
	}
	if err := CheckInputNames(fitted.Table.XNames, predValQuantiles); err != nil { // (pred_val.csv's columns)
		return nil, &SettingError{Setting: "Data", Value: d.Data, Reason: err.Error() + "; rename the column"}
	}
	// (LoadCSV has bounded every value: data.MaxCSVValue, data.MaxStandardScore.)
	return fitted, nil
}
