// Package metrics holds bbb's evaluation metrics: plain functions of
// numbers and slices, with no network, trainer or graph in sight, so a
// researcher can score any model's predictions the way bbb scores its own
// and get the same digits in summary.json.
//
// Regression, with a predictive band (ScoreBand): the RMSE of the
// predictive mean against the noisy targets and, where it is known, the
// noiseless curve; the share of targets inside the band (BandCoverage) and
// its mean width (MeanWidth). Quantile is the band's order statistic
// (numpy's default linear rule), SelectQuantile the same value in linear
// time.
//
// Regression, with the predictive distribution itself (Score): each pass
// s of a Bayesian network gives a mean mu_s and a noise scale sigma_s, and
// the predictive is the mixture (1/S) Σ_s N(mu_s, sigma_s²). MixturePIT is
// its CDF at a target (the probability integral transform) and
// MixtureLogDensity its log-density there; from those, NLPD is the mean
// negative log predictive density, Coverage the share of targets inside a
// central interval of given level, and Calibration the coverage at each
// of several levels (a reliability curve: the diagonal when calibrated).
//
// Classification (ScoreClasses): the error of the mean probabilities and
// of one weight draw's, the mean negative log-likelihood, and the expected
// calibration error over ECEBins equal-width bins of the top probability
// (Guo et al. 2017). Argmax is the predicted class.
//
// Every function is pinned by a hand-computed example in the tests, with
// the arithmetic in a comment a reviewer can check on paper.
package metrics
