package train

import (
	"context"
	"testing"
	"time"
)

func TestSmokeTiming(t *testing.T) {
	d, err := MakeData(DataConfig{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(Config{Epochs: 200, ReportEvery: 50}, d)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	rs, err := tr.Run(context.Background(), func(r Report) { t.Logf("%+v", r) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v per epoch, %d reports", time.Since(t0)/200, len(rs))
}
