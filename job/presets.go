package job

// Presets are bbb train's named starting points (--preset NAME), by the
// flags they set (RecordedFlags and the run's): a flag the user gives
// wins. A model file records its preset, and a resumed run goes on under
// it.
var Presets = map[string]map[string]string{
	"seed":  {},                                                    // the seed program's settings (the flag defaults)
	"quick": {"epochs": "300", "samples": "100", "points": "2000"}, // a smoke run in seconds
	// The seed's data with a learned noise scale (starting at 1): a total band that is calibrated.
	"calibrated": {"likelihood": "learned", "likelihood-sigma": "1"},
	// The paper's MNIST model (Blundell et al. 2015, §5.1): 784-400-400-10
	// ReLU, scale-mixture prior, minibatches of 128 with the KL weighted 1/M,
	// on every core.
	// The rate drops tenfold after epochs 40 and 52: test error 1.61 % against
	// 1.86 % at a constant rate (3 seeds, README).
	"mnist": {"layers": "3", "hidden": "400", "batch-size": "128", "prior": "mixture", "lr": "0.001",
		"lr-milestones": "40,52", "epochs": "60", "samples": "100", "threads": "0", "report-every": "1"},
}
