package modelfile

import (
	"fmt"
	"slices"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
)

// Bounds on a model description: what bbb builds.
const (
	// MaxLayers: Gorgonia's tape machine compiles in time that grows
	// faster than linearly with the layers (the training graph alone,
	// hidden 20: 100 layers 0.24 s, 200 1.1 s, 500 8 s), and a run
	// compiles several such graphs. A whole 1-epoch train run takes, idle
	// on 2 cores, 0.34 s at 64 layers, 0.83 s at 128, 1.4 s at 200; with
	// the machine shared (load 20) 1.5 s at 64, 4.4 s at 128. 64 keeps
	// start-up within a couple of seconds even then. (At 1000 layers,
	// hidden 2, the CLI's first step fails inside the machine: "input 0
	// is <nil>"; a bare graph of that size runs.)
	MaxLayers = 64
	// MaxHidden, MaxInputs, MaxClasses bound each width; MaxWeights the
	// weights and biases together (each has a mu and a rho): 2^28 of
	// them are 2 GiB of float32 parameters before gradients and Adam.
	MaxHidden  = 1 << 16
	MaxInputs  = 1 << 20
	MaxClasses = 1 << 16
	MaxWeights = 1 << 28
	// ParamCopies: a network holds at least this many values per
	// parameter (mu, rho, the drawn weight and its epsilon, gradients):
	// the description's memory floor.
	ParamCopies = 6
)

// SizeKind is the bound a SizeError breaks.
type SizeKind int

// The bounds, in the order CheckSize checks them.
const (
	BadLayers  SizeKind = iota // Layers outside 1 to MaxLayers
	BadHidden                  // Hidden < 1
	BadInputs                  // Inputs outside 1 to MaxInputs
	BadOutputs                 // Outputs (or Classes) outside 1 to MaxClasses
	BadMemory                  // the parameters' memory floor over what is available
	BadWidth                   // Hidden over MaxHidden
	BadWeights                 // weights and biases over MaxWeights
)

// A SizeError is a model description outside the bounds. Its fields let
// a program word it in its own terms (bbb names its flags).
type SizeError struct {
	Kind   SizeKind
	Config graph.Config // with its defaults
	// Weights is the count of weights and biases; Need and Avail the
	// memory (bytes) for BadMemory.
	Weights, Need, Avail float64
}

func (e *SizeError) Error() string {
	c := e.Config
	switch e.Kind {
	case BadLayers:
		return fmt.Sprintf("layers %d: want 1 to %d", c.Layers, MaxLayers)
	case BadHidden:
		return fmt.Sprintf("hidden %d: need a value > 0", c.Hidden)
	case BadInputs:
		return fmt.Sprintf("inputs %d: want 1 to %d input columns", c.Inputs, MaxInputs)
	case BadOutputs:
		return fmt.Sprintf("outputs %d: want 1 to %d (classes)", c.Outputs, MaxClasses)
	case BadMemory:
		return fmt.Sprintf("hidden %d, layers %d: about %.3g bytes of memory for the parameters alone, %.3g available", c.Hidden, c.Layers, e.Need, e.Avail)
	case BadWidth:
		return fmt.Sprintf("hidden %d: want 1 to %d", c.Hidden, MaxHidden)
	}
	return fmt.Sprintf("hidden %d layers %d with %d inputs: %.3g weights, over the %d allowed", c.Hidden, c.Layers, c.Inputs, e.Weights, MaxWeights)
}

// CheckSize checks a model description's sizes (its zero fields the
// defaults): each within its bound, the weights' count, and their memory
// (ParamCopies copies of mu and rho) against avail bytes (0: unknown).
// The error is a *SizeError.
func CheckSize(c graph.Config, avail float64) error {
	c = c.WithDefaults()
	e := &SizeError{Config: c}
	switch {
	case c.Layers < 1 || c.Layers > MaxLayers:
		e.Kind = BadLayers
		return e
	case c.Hidden < 1:
		e.Kind = BadHidden
		return e
	case c.Inputs < 1 || c.Inputs > MaxInputs:
		e.Kind = BadInputs
		return e
	case c.Outputs < 1 || c.Outputs > MaxClasses:
		e.Kind = BadOutputs
		return e
	}
	// In float64: no count overflows (a width is an int, the layers few).
	h, in, out := float64(c.Hidden), float64(c.Inputs), float64(c.Outputs)*2
	e.Weights = (in+1)*h + (h+1)*h*float64(c.Layers-2) + (h+1)*out
	if c.Layers == 1 {
		e.Weights = (in + 1) * out
	}
	b := 4.0
	if c.Dtype == tensor.Float64 {
		b = 8
	}
	// Memory first: where it is short, that is the reason to give.
	if e.Need, e.Avail = e.Weights*2*b*ParamCopies, avail; avail > 0 && e.Need > avail {
		e.Kind = BadMemory
		return e
	}
	switch {
	case c.Hidden > MaxHidden:
		e.Kind = BadWidth
		return e
	case e.Weights > MaxWeights:
		e.Kind = BadWeights
		return e
	}
	return nil
}

// Param is one learnable parameter: its graph name and shape.
type Param struct {
	Name  string
	Shape []int
}

// Params returns the learnables a config builds, in Learnables order
// (graph/network.go): per layer w_mu, w_rho (in × out), b_mu, b_rho (out),
// then the likelihood's (graph.LikParams: noise_rho for a learned noise scale). c must be within CheckSize's
// bounds.
func Params(c graph.Config) []Param {
	c = c.WithDefaults()
	out := make([]Param, 0, 4*c.Layers+1)
	for i := range c.Layers {
		in, o := c.Hidden, c.Hidden
		if i == 0 {
			in = c.Inputs
		}
		if i == c.Layers-1 {
			o = c.Outputs * c.Lik().Outputs() // LikHetero: means, then raw scales
		}
		out = append(out,
			Param{fmt.Sprintf("w_mu%d", i), []int{in, o}}, Param{fmt.Sprintf("w_rho%d", i), []int{in, o}},
			Param{fmt.Sprintf("b_mu%d", i), []int{o}}, Param{fmt.Sprintf("b_rho%d", i), []int{o}})
	}
	lik, _ := graph.LikParams(c) // none for a likelihood that cannot build them
	for _, p := range lik {
		out = append(out, Param{p.Name(), []int(p.Shape().Clone())})
	}
	return out
}

// ParamKind is how a file's parameters differ from a config's.
type ParamKind int

// The differences, as CheckParams finds them.
const (
	ParamCount   ParamKind = iota // Want and Listed parameter counts differ
	ParamName                     // the file lists Listed at Index, the config builds Name
	ParamMissing                  // Name is listed, not in the file
	ParamShape                    // Name's Shape in the file is not the config's WantShape
)

// A ParamError says how a file's parameters are not those a config
// builds.
type ParamError struct {
	Kind              ParamKind
	Want, ListedCount int    // ParamCount: the config's count, the file's
	Index             int    // ParamName: the place in Learnables order
	Name, Listed      string // the config's name; ParamName: the file's
	Shape, WantShape  []int  // ParamShape: the file's shape, the config's
	Config            graph.Config
}

func (e *ParamError) Error() string {
	c := e.Config
	switch e.Kind {
	case ParamCount:
		return fmt.Sprintf("meta: %d layers of %d make %d parameter arrays, the file lists %d", c.Layers, c.Hidden, e.Want, e.ListedCount)
	case ParamName:
		return fmt.Sprintf("meta: parameter %d is %q, want %s", e.Index, e.Listed, e.Name)
	case ParamMissing:
		return fmt.Sprintf("parameter %s missing", e.Name)
	}
	return fmt.Sprintf("parameter %s: shape %v in the file, the model needs %v (%d layers of %d, %d inputs)", e.Name, e.Shape, e.WantShape, c.Layers, c.Hidden, c.Inputs)
}

// CheckParams checks that f lists the parameters c builds, in order, and
// holds each with its shape (the count matched against f's list first):
// a *ParamError; and that its layer reports, if any, are c's layers'.
func (f *File) CheckParams(c graph.Config) error {
	want := Params(c)
	if len(want) != len(f.Params) {
		return &ParamError{Kind: ParamCount, Want: len(want), ListedCount: len(f.Params), Config: c}
	}
	for i, p := range want {
		a, ok := f.Arrays[p.Name]
		switch {
		case f.Params[i] != p.Name:
			return &ParamError{Kind: ParamName, Index: i, Listed: f.Params[i], Name: p.Name, Config: c}
		case !ok:
			return &ParamError{Kind: ParamMissing, Name: p.Name, Config: c}
		case !slices.Equal(a.Shape, p.Shape):
			return &ParamError{Kind: ParamShape, Name: p.Name, Shape: a.Shape, WantShape: p.Shape, Config: c}
		}
	}
	return f.CheckLayers(c.WithDefaults().Layers)
}

// CheckLayers checks that f's layer reports, if any, are those of a
// network of layers layers: each report's (or the last reports') rows of
// layers 0 to layers-1.
func (f *File) CheckLayers(layers int) error {
	if rows := len(f.Layers); rows%layers != 0 || rows > layers*len(f.Reports) || rows > 0 && f.Layers[rows-1].Layer != layers-1 {
		return fmt.Errorf("layer_reports: %d rows, not the %d-layer network's at %d reports or fewer", rows, layers, len(f.Reports))
	}
	return nil
}

// Config returns the network f describes, validated before anything is
// built: its settings known (a version 1 or 2 file's flags readable),
// every size within CheckSize's bounds (avail: the memory available in
// bytes, 0 unknown), the config valid (graph.Config.Validate), and every
// parameter that network has present in f with its shape (CheckParams).
// So a file cannot make a program build what it does not hold.
func (f *File) Config(avail float64) (graph.Config, error) {
	if f.flagsErr != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", f.flagsErr)
	}
	c, err := f.Model.Network.Config()
	if err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	if err := CheckSize(c, avail); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %w", err)
	}
	if err := c.WithDefaults().Validate(); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	if err := f.CheckParams(c); err != nil {
		return graph.Config{}, err
	}
	return c, nil
}
