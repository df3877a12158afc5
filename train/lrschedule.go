package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// LRSchedule lowers the learning rate in steps, as PyTorch's MultiStepLR:
// after each epoch listed in Milestones the rate is multiplied by Gamma.
// The zero value keeps the rate constant.
//
// With Adam a constant rate keeps every mean moving by about the rate at
// each step, whatever its gradient, so the weights the data does not need
// jitter around zero instead of settling there; a lower rate at the end
// lets them settle, which is what pruning by |mu|/sigma relies on (see the
// README's MNIST pruning section).
type LRSchedule struct {
	Milestones []int   // epochs, strictly increasing, each >= 1
	Gamma      float64 // factor per milestone, 0 < Gamma (default 0.1)
}

// WithDefaults fills a zero Gamma with 0.1.
func (s LRSchedule) WithDefaults() LRSchedule {
	if s.Gamma == 0 {
		s.Gamma = 0.1
	}
	return s
}

// Validate reports the first milestone or factor that cannot run.
func (s LRSchedule) Validate() error {
	if !(s.Gamma > 0) || math.IsInf(s.Gamma, 0) {
		return fmt.Errorf("train: learning-rate factor %v: need a finite value > 0", s.Gamma)
	}
	for i, m := range s.Milestones {
		if m < 1 {
			return fmt.Errorf("train: learning-rate milestone %d: need an epoch >= 1", m)
		}
		if i > 0 && m <= s.Milestones[i-1] {
			return fmt.Errorf("train: learning-rate milestones %v: not increasing (%d after %d)", s.Milestones, m, s.Milestones[i-1])
		}
	}
	return nil
}

// Rate is the learning rate of the step that follows epoch done (0: the
// first step), from the base rate lr.
func (s LRSchedule) Rate(lr float64, done int) float64 {
	for _, m := range s.Milestones {
		if m <= done {
			lr *= s.Gamma
		}
	}
	return lr
}

// ParseMilestones reads a comma-separated list of epochs ("" is none).
func ParseMilestones(str string) ([]int, error) {
	if strings.TrimSpace(str) == "" {
		return nil, nil
	}
	var ms []int
	for _, f := range strings.Split(str, ",") {
		m, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("train: learning-rate milestones %q: %q is not an epoch", str, f)
		}
		ms = append(ms, m)
	}
	return ms, LRSchedule{Milestones: ms, Gamma: 1}.Validate()
}
