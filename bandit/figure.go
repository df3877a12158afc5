package bandit

import "github.com/bbb-go/bbb/viz"

// DrawRegret draws the paper's Figure 6 from r: cumulative regret against
// step on a log axis, one line per agent (viz.Regret).
func DrawRegret(path string, r *Result, title string) error {
	f := viz.RegretFigure{Title: title, Steps: make([]float64, len(r.Steps))}
	for k, s := range r.Steps {
		f.Steps[k] = float64(s)
	}
	for i, a := range r.Agents {
		f.Series = append(f.Series, viz.RegretSeries{Name: a.Name, Regret: r.Regret[i]})
	}
	return viz.Regret(path, f)
}
