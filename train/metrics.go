package train

import (
	"math"

	"github.com/bbb-go/bbb/data"
)

// Metrics are the quality figures of a predictive band on one split.
type Metrics struct {
	RMSETrue   float64 // predictive mean vs the noiseless curve (0 where it is unknown)
	RMSENoisy  float64 // predictive mean vs the noisy targets
	Coverage90 float64 // share of noisy targets inside [Q05, Q95]
	BandWidth  float64 // mean of Q95 - Q05
}

// Evaluate computes Metrics of b against s.
func Evaluate(b Bands, s data.Split) Metrics {
	var m Metrics
	n := float64(s.Len())
	for i := range s.Len() {
		if s.YTrue != nil {
			dt := b.Mean[i] - s.YTrue[i]
			m.RMSETrue += dt * dt
		}
		dn := b.Mean[i] - s.Y[i]
		m.RMSENoisy += dn * dn
		if s.Y[i] >= b.Q05[i] && s.Y[i] <= b.Q95[i] {
			m.Coverage90++
		}
		m.BandWidth += b.Q95[i] - b.Q05[i]
	}
	m.RMSETrue = math.Sqrt(m.RMSETrue / n)
	m.RMSENoisy = math.Sqrt(m.RMSENoisy / n)
	m.Coverage90 /= n
	m.BandWidth /= n
	return m
}
