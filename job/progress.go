package job

import (
	"fmt"
	"io"
	"time"

	"github.com/bbb-go/bbb/train"
)

// progress prints one line per loss report on stderr: epoch, losses,
// epochs per second and the time left (nothing if w is nil).
type progress struct {
	w      io.Writer
	epochs int
	epoch0 int // the epoch it started from (--resume)
	start  time.Time
}

func newProgress(w io.Writer, epochs int) *progress {
	return &progress{w: w, epochs: epochs, start: time.Now()}
}

func (p *progress) report(r train.Report) {
	if p.w == nil {
		return
	}
	el := time.Since(p.start)
	rate := float64(r.Epoch-p.epoch0) / el.Seconds()
	eta := time.Duration(float64(p.epochs-r.Epoch) / rate * float64(time.Second))
	fmt.Fprintf(p.w, "epoch %*d/%d  train %10.4f  val %10.4f  %7.1f epochs/s  ETA %-7s RSS %.0f MiB\n",
		len(fmt.Sprint(p.epochs)), r.Epoch, p.epochs, r.TrainLoss, r.ValLoss, rate, eta.Round(100*time.Millisecond), rssMiB())
}

func (p *progress) logf(format string, a ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, format+"\n", a...)
	}
}
