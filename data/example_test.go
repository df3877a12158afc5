package data_test

import (
	"fmt"
	"strings"

	"github.com/bbb-go/bbb/data"
)

// The seed's curve on a small grid: 11 points on [-1, 1], 2 held out.
// Each split is sorted by x; YTrue is the noiseless curve, Y adds N(0, 1.5²).
func ExampleMakeCurve() {
	set, err := data.MakeCurve(data.CurveConfig{N: 11, XMin: -1, XMax: 1}, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d training, %d validation points\n", set.Train.Len(), set.Val.Len())
	for i := range 3 {
		fmt.Printf("x %+.1f  curve %+.3f\n", set.Train.X[i], set.Train.YTrue[i])
	}
	fmt.Printf("f(2) = %.1f\n", data.Curve(2))
	// Output:
	// 9 training, 2 validation points
	// x -1.0  curve -6.200
	// x -0.8  curve -5.478
	// x -0.6  curve -4.411
	// f(2) = 1.6
}

// A CSV table read from a string, its columns picked by name, then
// standardised with the training rows' scaler (what bbb saves with a
// model, so that predictions come back in the data's units).
func ExampleParseCSV() {
	const file = `height,weight,age
1.62,55,30
1.80,80,41
1.71,70,25
`
	tab, err := data.ParseCSV(strings.NewReader(file), "people.csv", data.CSVColumns{XCols: []string{"height"}, YCol: "weight"})
	if err != nil {
		panic(err)
	}
	fmt.Println(tab.XNames, tab.YName, tab.Rows(), "rows")
	s := data.Split{X: tab.X, Y: tab.Y, Inputs: len(tab.XNames)}
	sc := data.FitScaler(s)
	z := sc.Apply(s)
	fmt.Printf("weight %.2f ± %.2f, standardised %.3f\n", sc.YMean, sc.YStd, z.Y)
	sc.UnscaleY(z.Y)
	fmt.Printf("back: %.0f\n", z.Y)

	_, err = data.ParseCSV(strings.NewReader("x,y\n1,oops\n"), "bad.csv", data.CSVColumns{})
	fmt.Println(err)
	// Output:
	// [height] weight 3 rows
	// weight 68.33 ± 10.27, standardised [-1.298 1.136 0.162]
	// back: [55 80 70]
	// bad.csv:2:3: column "y": "oops" is not a number
}
