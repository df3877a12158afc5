package interrupt_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bbb-go/bbb/interrupt"
)

// A run names each stage as it enters it; once the context is cancelled
// (here by hand, as the first SIGINT does), the next stage returns the
// error, and the message says where the run stopped.
func Example() {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	for epoch := 1; epoch <= 3; epoch++ {
		if err := interrupt.EnterStage(ctx, fmt.Sprintf("epoch %d", epoch)); err != nil {
			fmt.Println("stopped:", err)
			break
		}
		if epoch == 2 {
			cancel(interrupt.Signal{Sig: os.Interrupt})
		}
	}
	if se, ok := interrupt.Cause(ctx); ok {
		fmt.Printf("bbb: %v during %s; stopped (exit %d)\n", se, interrupt.CurrentStage(), se.ExitCode())
	}
	// Output:
	// stopped: context canceled
	// bbb: interrupted by SIGINT during epoch 3; stopped (exit 130)
}

// A command's main: the signal cancels ctx; the command returns and exits
// with the signal's code.
func ExampleNotifyContext() {
	ctx, stop := interrupt.NotifyContext(os.Stderr)
	defer stop()
	work := func(ctx context.Context) error {
		return interrupt.EnterStage(ctx, "training")
	}
	if err := work(ctx); err != nil {
		if se, ok := interrupt.Cause(ctx); ok {
			fmt.Fprintf(os.Stderr, "bbb: %v during %s; stopped\n", se, interrupt.CurrentStage())
			os.Exit(se.ExitCode())
		}
	}
}
