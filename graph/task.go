package graph

import "fmt"

// Task is what the network predicts.
type Task int

const (
	// Regression predicts real targets under Config.Likelihood (the seed's).
	Regression Task = iota
	// Classification predicts one of Config.Classes classes: the last layer
	// outputs that many logits, the targets are one-hot rows, and the
	// likelihood is the categorical (softmax) one (nodes.CategoricalLogLik).
	Classification
)

// String is "regression" or "classification".
func (t Task) String() string {
	switch t {
	case Regression:
		return "regression"
	case Classification:
		return "classification"
	}
	return fmt.Sprintf("Task(%d)", int(t))
}

// validateTask checks the classifier's options: at least 2 classes and the
// likelihood left nil or LikFixed.
func (c Config) validateTask() error {
	switch c.Task {
	case Regression:
		if c.Classes != 0 {
			return fmt.Errorf("graph: classes %d: only for the classification task", c.Classes)
		}
		return nil
	case Classification:
	default:
		return fmt.Errorf("graph: task %v: want Regression or Classification", c.Task)
	}
	switch {
	case c.Classes < 2:
		return fmt.Errorf("graph: classes %d: a classifier needs at least 2", c.Classes)
	case c.Outputs != c.Classes:
		return fmt.Errorf("graph: outputs %d: a classifier of %d classes has %d outputs", c.Outputs, c.Classes, c.Classes)
	case !c.fixedLik():
		return fmt.Errorf("graph: likelihood %v: a classifier's likelihood is the categorical one", c.Lik())
	}
	return nil
}
