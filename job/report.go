package job

import (
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/train"
)

// addScores fills the summary's model options and the validation scores
// with the likelihood's noise included (issue 8).
func addScores(s *train.Summary, net *graph.Network, val train.Bands) error {
	c := net.Config
	s.Prior, s.KL, s.Likelihood = c.WeightPrior().String(), c.KL.String(), c.Lik().String()
	z, err := net.Noise()
	if err != nil {
		return err
	}
	if z.Width() == 1 { // one scale, not one per input
		sigma := z.Sigma
		s.NoiseSigma = &sigma
	}
	sc := metrics.Score(val.PIT, val.LogDensity, val.TotalQ05, val.TotalQ95)
	s.ValNLPD = sc.NLPD
	s.ValPredCoverage50, s.ValPredCoverage90, s.ValPredCoverage95 = sc.Coverage50, sc.Coverage90, sc.Coverage95
	s.ValCalibration, s.ValTotalBandWidth = sc.Calibration, sc.TotalBandWidth
	return nil
}

// layerLog collects train.LayerStats at every report (layers.csv).
type layerLog struct {
	net   *graph.Network
	stats []train.LayerStat
	err   error
}

// hook returns next, preceded by collecting the layers' stats.
func (l *layerLog) hook(next func(train.Report)) func(train.Report) {
	return func(r train.Report) {
		if st, err := train.LayerStats(l.net, r.Epoch); err != nil {
			l.err = err
		} else {
			l.stats = append(l.stats, st...)
		}
		next(r)
	}
}
