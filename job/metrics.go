package job

import (
	"reflect"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/train"
)

// SummaryMetrics are the numbers a `bbb train` run's summary.json can
// hold: the numeric fields of the regression and the classification
// summaries (train.Summary, train.ClassSummary) by their JSON names, in
// field order. A sweep checks the metric it compares against them before
// any point runs.
func SummaryMetrics() []string {
	var names []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			fl := t.Field(i)
			if fl.Anonymous && fl.Type.Kind() == reflect.Struct {
				walk(fl.Type)
				continue
			}
			name, _, _ := strings.Cut(fl.Tag.Get("json"), ",")
			switch fl.Type.Kind() {
			case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
				if name != "" && name != "-" && !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	walk(reflect.TypeOf(train.Summary{}))
	walk(reflect.TypeOf(train.ClassSummary{}))
	return names
}
