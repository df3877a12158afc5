package settingflag_test

import (
	"flag"
	"fmt"

	"github.com/bbb-go/bbb/internal/settingflag"
)

// A settings struct becomes a command's flags.
func Example() {
	type Settings struct {
		Layers int     `flag:"layers" default:"5" help:"variational linear layers"`
		LR     float64 `flag:"lr" default:"0.01" help:"Adam learning rate"`
	}
	var s Settings
	settingflag.SetDefaults(&s)
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	settingflag.Register(fs, &s)
	_ = fs.Parse([]string{"--lr", "0.001"})
	fmt.Printf("%+v %v\n", s, settingflag.Names(&s)["LR"])
	// Output: {Layers:5 LR:0.001} --lr
}
