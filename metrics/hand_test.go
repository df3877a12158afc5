package metrics

import (
	"math"
	"slices"
	"testing"
)

// Hand-computed examples of every metric: tiny inputs, the arithmetic in
// a comment, a reviewer can check each on paper. Each also fails for the
// usual slips (n vs n-1, an open instead of a closed interval edge, a bin
// too many or too few, a sum of absolute values instead of an absolute
// sum).

// byHandNear reports |got - want| <= tol.
func byHandNear(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestQuantileByHand(t *testing.T) {
	// numpy's linear rule: h = q·(n-1), value = v[⌊h⌋] + (h-⌊h⌋)·(v[⌊h⌋+1] - v[⌊h⌋]).
	sorted := []float64{1, 2, 4, 8}
	for _, c := range []struct {
		q, want float64
		why     string
	}{
		{0, 1, "h = 0: the minimum"},
		{0.05, 1.15, "h = 0.15: 1 + 0.15·(2-1)"},
		{0.5, 3, "h = 1.5: 2 + 0.5·(4-2) (q·n would give h = 2: 4)"},
		{0.95, 7.4, "h = 2.85: 4 + 0.85·(8-4)"},
		{1, 8, "h = 3: the maximum"},
	} {
		if got := Quantile(sorted, c.q); !byHandNear(got, c.want, 1e-12) {
			t.Errorf("Quantile(%v, %v) = %v, want %v (%s)", sorted, c.q, got, c.want, c.why)
		}
		// The selection form must give the same order statistics from
		// any order of the values.
		for _, v := range [][]float64{{8, 4, 2, 1}, {4, 1, 8, 2}} {
			if got := SelectQuantile(slices.Clone(v), c.q); !byHandNear(got, c.want, 1e-12) {
				t.Errorf("SelectQuantile(%v, %v) = %v, want %v (%s)", v, c.q, got, c.want, c.why)
			}
		}
	}
	if got := Quantile([]float64{5}, 0.3); got != 5 {
		t.Errorf("Quantile([5], 0.3) = %v, want 5 (one value is every quantile)", got)
	}
	if got := Quantile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile(nil, 0.5) = %v, want NaN", got)
	}
}

func TestScoreBandByHand(t *testing.T) {
	// Four inputs. mean - yTrue = 0, 2, 0, -1: RMSETrue = √((0+4+0+1)/4) = √1.25.
	// mean - y = 0, 1, 0, -3: RMSENoisy = √((0+1+0+9)/4) = √2.5 (÷3 would be √(10/3)).
	// y in [Q05, Q95]: 1 ∈ [1, 2] (lower edge), 2 ∉ [2.5, 3.5], 3 ∈ [2, 3] (upper
	// edge), 5 ∉ [0, 4]: Coverage90 = 2/4. Widths 1, 1, 1, 4: BandWidth = 7/4.
	y, yTrue := []float64{1, 2, 3, 5}, []float64{1, 1, 3, 3}
	mean, q05, q95 := []float64{1, 3, 3, 2}, []float64{1, 2.5, 2, 0}, []float64{2, 3.5, 3, 4}
	got := ScoreBand(mean, q05, q95, y, yTrue)
	want := BandScores{RMSETrue: math.Sqrt(1.25), RMSENoisy: math.Sqrt(2.5), Coverage90: 0.5, BandWidth: 1.75}
	if !byHandNear(got.RMSETrue, want.RMSETrue, 1e-12) || !byHandNear(got.RMSENoisy, want.RMSENoisy, 1e-12) ||
		!byHandNear(got.Coverage90, want.Coverage90, 1e-12) || !byHandNear(got.BandWidth, want.BandWidth, 1e-12) {
		t.Errorf("ScoreBand = %+v, want %+v", got, want)
	}
	// Without the noiseless curve RMSETrue is 0, the rest unchanged.
	want.RMSETrue = 0
	if got := ScoreBand(mean, q05, q95, y, nil); got != (BandScores{RMSENoisy: got.RMSENoisy, Coverage90: 0.5, BandWidth: 1.75}) || !byHandNear(got.RMSENoisy, want.RMSENoisy, 1e-12) {
		t.Errorf("ScoreBand without yTrue = %+v, want %+v", got, want)
	}
}

func TestMixtureScoresByHand(t *testing.T) {
	for _, c := range []struct {
		name      string
		mu, sigma []float64
		y         float64
		pit, logp float64
	}{
		// PIT = (Φ(0) + Φ(-2))/2 = (0.5 + 0.0227501319481792)/2.
		// p = (φ(0) + φ(2))/2, so log p = log((e⁰ + e⁻²)/2) − ½ log 2π
		// = −0.6337808 − 0.9189385 = −1.5527194.
		{"two means, one scale", []float64{0, 2}, []float64{1, 1}, 0,
			0.2613750659740896, math.Log((1+math.Exp(-2))/2) - 0.5*math.Log(2*math.Pi)},
		// y halfway between the means: PIT = (Φ(1) + Φ(-1))/2 = ½ by
		// symmetry; each pass has z = ±1, so log p = -½ - ½log 2π.
		{"halfway", []float64{0, 2}, []float64{1, 1}, 1, 0.5, -0.5 - 0.5*math.Log(2*math.Pi)},
		// Two scales (the heteroscedastic case): PIT = (Φ(0) + Φ(0))/2 = ½;
		// p = (φ(0)/1 + φ(0)/2)/2 = (0.3989423 + 0.1994711)/2 = 0.2992067,
		// log p = -1.2066206.
		{"two scales", []float64{0, 0}, []float64{1, 2}, 0, 0.5, -1.2066206056564535},
		// PIT at y = 1 of N(0.5, 1) and N(1.5, 2²): (Φ(0.5) + Φ(-0.25))/2 =
		// (0.6914625 + 0.4012937)/2 = 0.5463781.
		{"asymmetric", []float64{0.5, 1.5}, []float64{1, 2}, 1, (0.6914624612740131 + 0.4012936743170763) / 2,
			math.Log((math.Exp(-0.125)/1+math.Exp(-1.0/32)/2)/2) - 0.5*math.Log(2*math.Pi)},
	} {
		if got := MixturePIT(c.mu, c.sigma, c.y); !byHandNear(got, c.pit, 1e-12) {
			t.Errorf("%s: MixturePIT = %.16g, want %.16g", c.name, got, c.pit)
		}
		if got := MixtureLogDensity(c.mu, c.sigma, c.y); !byHandNear(got, c.logp, 1e-12) {
			t.Errorf("%s: MixtureLogDensity = %.16g, want %.16g", c.name, got, c.logp)
		}
	}
}

func TestNLPDCoverageCalibrationByHand(t *testing.T) {
	// NLPD = -(−1 − 2 − 3.5)/3 = 6.5/3 (the mean, ÷n not ÷(n-1)).
	if got := NLPD([]float64{-1, -2, -3.5}); !byHandNear(got, 6.5/3, 1e-12) {
		t.Errorf("NLPD = %v, want 6.5/3", got)
	}
	// Coverage(level) counts |u - ½| <= level/2, both ends closed. The
	// PITs are dyadic, so the edges are exact in floating point.
	pit := []float64{0.25, 0.75, 0.125, 0.875}
	for _, c := range []struct {
		level, want float64
		why         string
	}{
		{0.5, 0.5, "|u-½| = ¼, ¼, ⅜, ⅜ against ¼: the two on the edge are in"},
		{0.75, 1, "⅜ <= ⅜: all four"},
		{0.7, 0.5, "⅜ > 0.35: two"},
		{0.4, 0, "¼ > 0.2: none"},
	} {
		if got := Coverage(pit, c.level); got != c.want {
			t.Errorf("Coverage(%v, %v) = %v, want %v (%s)", pit, c.level, got, c.want, c.why)
		}
	}
	// Calibration is Coverage at each level, in order.
	got := Calibration(pit, CalibrationLevels)
	want := []float64{0, 0, 0, 0, 0.5, 0.5, 0.5, 1, 1} // levels 0.1..0.9: ¼ is in from 0.5, ⅜ from 0.75
	if !slices.Equal(got, want) {
		t.Errorf("Calibration(%v) = %v, want %v", pit, got, want)
	}
}

func TestScoreByHand(t *testing.T) {
	pit := []float64{0.25, 0.75, 0.125, 0.875}
	logDensity := []float64{-1, -2, -3, -4}
	totalLo, totalHi := []float64{0, 0, -1, 0}, []float64{1, 2, 2, 6}
	s := Score(pit, logDensity, totalLo, totalHi)
	// NLPD = 10/4; coverages from the PITs as above; widths 1, 2, 3, 6:
	// TotalBandWidth = 12/4 = 3.
	if s.NLPD != 2.5 || s.Coverage50 != 0.5 || s.Coverage90 != 1 || s.Coverage95 != 1 || s.TotalBandWidth != 3 {
		t.Errorf("Score = %+v, want NLPD 2.5, coverage 0.5/1/1, total width 3", s)
	}
	if want := []float64{0, 0, 0, 0, 0.5, 0.5, 0.5, 1, 1}; !slices.Equal(s.Calibration, want) {
		t.Errorf("Score.Calibration = %v, want %v", s.Calibration, want)
	}
}

func TestScoreClassesByHand(t *testing.T) {
	// ECE: 15 equal bins of the top probability, bin ⌊15·conf⌋ (1.0 in the
	// last), ECE = Σ_b |correct_b − Σ conf_b| / n.
	for _, c := range []struct {
		name                     string
		mean, first              []float64
		labels                   []int
		err, errSingle, nll, ece float64
	}{
		{
			// rows (2 classes)  label pred conf  bin (15·conf)
			// [0.9 0.1]          0     0   0.9   13 (13.5)  right
			// [0.08 0.92]        1     1   0.92  13 (13.8)  right
			// [1 0]              1     0   1     14 (15: the last)  wrong
			// [0.3 0.7]          1     1   0.7   10 (10.5)  right
			// [0.32 0.68]        0     1   0.68  10 (10.2)  wrong
			// bin 13: |2 − 1.82| = 0.18; bin 14: |0 − 1| = 1; bin 10:
			// |1 − 1.38| = 0.38 (row by row it would be 0.3 + 0.68).
			// ECE = 1.56/5 = 0.312 (with conf 1 put in bin 13: (0.82 +
			// 0.38)/5 = 0.24). Error 2/5.
			// NLL = (−ln 0.9 − ln 0.92 − ln 1e-300 − ln 0.7 − ln 0.32)/5:
			// the label's probability 0 is floored at 1e-300.
			// first's argmax: 1, 0, 1, 0, 0 against labels 0, 1, 1, 1, 0: three wrong.
			name:      "shared, last and floored",
			mean:      []float64{0.9, 0.1, 0.08, 0.92, 1, 0, 0.3, 0.7, 0.32, 0.68},
			first:     []float64{0.4, 0.6, 0.6, 0.4, 0, 1, 0.9, 0.1, 0.9, 0.1},
			labels:    []int{0, 1, 1, 1, 0},
			err:       0.4,
			errSingle: 0.6,
			nll:       (-math.Log(0.9) - math.Log(0.92) + 300*math.Ln10 - math.Log(0.7) - math.Log(0.32)) / 5,
			ece:       0.312,
		},
		{
			// Bin width: 0.65 → 9.75 (bin 9), 0.67 → 10.05 (bin 10), so the
			// right one and the wrong one do not cancel: (|1 − 0.65| + |0 −
			// 0.67|)/2 = 0.51. With 14 bins (9.1, 9.38) or 16 (10.4, 10.72)
			// both would share a bin: |1 − 1.32|/2 = 0.16.
			name:      "neighbouring bins",
			mean:      []float64{0.65, 0.35, 0.67, 0.33},
			first:     []float64{0.65, 0.35, 0.67, 0.33},
			labels:    []int{0, 1},
			err:       0.5,
			errSingle: 0.5,
			nll:       -(math.Log(0.65) + math.Log(0.33)) / 2,
			ece:       0.51,
		},
		{
			// Three classes, one row: the top probability is 0.5 (bin 7,
			// 7.5), right: ECE = |1 − 0.5| = 0.5; NLL = −ln 0.5.
			name:   "three classes",
			mean:   []float64{0.2, 0.5, 0.3},
			first:  []float64{0.2, 0.5, 0.3},
			labels: []int{1},
			nll:    math.Ln2,
			ece:    0.5,
		},
	} {
		s, err := ScoreClasses(c.mean, c.first, c.labels, len(c.mean)/len(c.labels))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !byHandNear(s.Error, c.err, 1e-12) || !byHandNear(s.ErrorSingle, c.errSingle, 1e-12) ||
			!byHandNear(s.NLL, c.nll, 1e-9) || !byHandNear(s.ECE, c.ece, 1e-12) {
			t.Errorf("%s: ScoreClasses = %+v, want error %v, single %v, NLL %v, ECE %v",
				c.name, s, c.err, c.errSingle, c.nll, c.ece)
		}
	}
}

// Argmax takes the first of equal largest values (ScoreClasses' predicted
// class).
func TestArgmaxTies(t *testing.T) {
	if got := Argmax([]float64{0.2, 0.4, 0.4}); got != 1 {
		t.Errorf("Argmax of a tie = %d, want the first (1)", got)
	}
	for _, c := range []struct {
		v    []float64
		want int
		why  string
	}{
		{[]float64{-3, -1, -2}, 1, "all negative: −1 is the largest"},
		{[]float64{0.1, 0.2, 0.7}, 2, "the last"},
		{[]float64{5}, 0, "one value"},
		{nil, 0, "no values: 0"},
	} {
		if got := Argmax(c.v); got != c.want {
			t.Errorf("Argmax(%v) = %d, want %d (%s)", c.v, got, c.want, c.why)
		}
	}
}

// The metrics of a hand-made 4-point band, worked out on paper. Coverage
// counts the noisy targets (the noiseless curve would give 0.75), both
// band edges included (one target sits on each).
func TestScoreBandFourPoints(t *testing.T) {
	y := []float64{1, 1, 5, 2.95}  // noisy targets
	yTrue := []float64{0, 1, 2, 3} // the curve
	mean := []float64{0, 1.5, 2, 3}
	q05 := []float64{-1, 1.2, 1, 2.95}
	q95 := []float64{1, 2, 3, 3.05}
	m := ScoreBand(mean, q05, q95, y, yTrue)
	want := BandScores{
		RMSETrue:   0.25,                   // sqrt((0 + 0.25 + 0 + 0) / 4)
		RMSENoisy:  math.Sqrt(10.2525 / 4), // (1 + 0.25 + 9 + 0.0025) / 4
		Coverage90: 0.5,                    // y=1 in [-1, 1], y=2.95 in [2.95, 3.05]: both edges count
		BandWidth:  1.225,                  // (2 + 0.8 + 2 + 0.1) / 4
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"RMSETrue", m.RMSETrue, want.RMSETrue},
		{"RMSENoisy", m.RMSENoisy, want.RMSENoisy},
		{"Coverage90", m.Coverage90, want.Coverage90},
		{"BandWidth", m.BandWidth, want.BandWidth},
	} {
		if !(math.Abs(c.got-c.want) <= 1e-12) { // NaN fails
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRMSECoverageWidthByHand(t *testing.T) {
	for _, c := range []struct {
		pred, target []float64
		want         float64
		why          string
	}{
		{[]float64{1, 2, 3}, []float64{1, 4, 3}, math.Sqrt(4.0 / 3), "errors 0, −2, 0: √((0+4+0)/3) = √(4/3) = 1.1547005"},
		{[]float64{0, 3}, []float64{4, 0}, math.Sqrt(12.5), "errors −4, 3: √((16+9)/2) = √12.5 = 3.5355339 (÷(n−1): 5)"},
		{[]float64{7}, []float64{7}, 0, "no error: 0"},
	} {
		if got := RMSE(c.pred, c.target); !byHandNear(got, c.want, 1e-12) {
			t.Errorf("RMSE(%v, %v) = %v, want %v (%s)", c.pred, c.target, got, c.want, c.why)
		}
	}
	// y = 0 ∈ [0, 1] (lower edge), 1 ∉ [1.5, 2], 2 ∈ [1, 2] (upper edge),
	// 3 ∉ [3.5, 2.5] (an inverted band holds nothing): 2/4.
	y, lo, hi := []float64{0, 1, 2, 3}, []float64{0, 1.5, 1, 3.5}, []float64{1, 2, 2, 2.5}
	if got := BandCoverage(y, lo, hi); got != 0.5 {
		t.Errorf("BandCoverage = %v, want 2/4 (both edges in)", got)
	}
	// Widths 1, 0.5, 1, −1: (1 + 0.5 + 1 − 1)/4 = 0.375 (a sum hi + lo
	// would give 13.5/4).
	if got := MeanWidth(lo, hi); !byHandNear(got, 0.375, 1e-15) {
		t.Errorf("MeanWidth = %v, want 0.375", got)
	}
}

func TestNLPDOfNormalsByHand(t *testing.T) {
	// One pass, N(0, 1) at y = 1: log p = −½ log 2π − ½·1² = −0.9189385 − 0.5
	// = −1.4189385, so its NLPD is 1.4189385.
	lp1 := MixtureLogDensity([]float64{0}, []float64{1}, 1)
	if !byHandNear(lp1, -1.4189385332046727, 1e-12) || !byHandNear(NLPD([]float64{lp1}), 1.4189385332046727, 1e-12) {
		t.Errorf("N(0, 1) at 1: log density %v, NLPD %v; want −1.4189385, 1.4189385", lp1, NLPD([]float64{lp1}))
	}
	// N(0, 2²) at y = 0: log p = −½ log 2π − log 2 = −0.9189385 − 0.6931472
	// = −1.6120857. NLPD of both: (1.4189385 + 1.6120857)/2 = 1.5155121.
	lp2 := MixtureLogDensity([]float64{0}, []float64{2}, 0)
	if !byHandNear(lp2, -1.612085713764618, 1e-12) || !byHandNear(NLPD([]float64{lp1, lp2}), 1.5155121234846454, 1e-12) {
		t.Errorf("N(0, 4) at 0: log density %v, NLPD of both %v; want −1.6120857, 1.5155121", lp2, NLPD([]float64{lp1, lp2}))
	}
	// The PIT of y = 1 under N(0, 1) is Φ(1) = 0.8413447: inside the
	// central 0.7 interval (|0.8413 − ½| = 0.3413 ≤ 0.35), not the 0.6 one.
	pit := MixturePIT([]float64{0}, []float64{1}, 1)
	if !byHandNear(pit, 0.8413447460685429, 1e-12) || Coverage([]float64{pit}, 0.7) != 1 || Coverage([]float64{pit}, 0.6) != 0 {
		t.Errorf("PIT of 1 under N(0, 1) = %v, want Φ(1) = 0.8413447, covered at level 0.7 and not 0.6", pit)
	}
}

// The scratch form overwrites its scratch and gives MixtureLogDensity's
// value whatever the scratch held before.
func TestMixtureLogDensityScratchByHand(t *testing.T) {
	// Passes N(0, 1) and N(2, 2²) at y = 2: z = 2 and 0, so the terms are
	// −½·4 − log 1 = −2 and −½·0 − log 2 = −0.6931472; with the larger one
	// m = −0.6931472 taken out, log p = m + log((e^(−2−m) + e⁰)/2) − ½ log 2π
	// = −0.6931472 + log((0.2706706 + 1)/2) − 0.9189385
	// = −0.6931472 − 0.4536024 − 0.9189385 = −2.0656881.
	lp := []float64{99, -99}
	got := MixtureLogDensityScratch([]float64{0, 2}, []float64{1, 2}, 2, lp)
	want := math.Log((math.Exp(-2)+math.Exp(-math.Ln2))/2) - 0.5*math.Log(2*math.Pi)
	if !byHandNear(got, want, 1e-12) || !byHandNear(want, -2.0656881, 1e-7) {
		t.Errorf("MixtureLogDensityScratch = %v, want %v (−2.0656881)", got, want)
	}
	if !byHandNear(lp[0], -2, 1e-15) || !byHandNear(lp[1], -math.Ln2, 1e-15) {
		t.Errorf("scratch after the call %v, want the terms [−2, −ln 2]", lp)
	}
	if m := MixtureLogDensity([]float64{0, 2}, []float64{1, 2}, 2); m != got {
		t.Errorf("MixtureLogDensity %v, scratch form %v", m, got)
	}
}
