// Package bandit is the third experiment of Blundell et al. (2015, §5.3):
// the UCI Mushroom data as a contextual bandit, where a Bayes-by-Backprop
// network that acts by Thompson sampling is compared with epsilon-greedy
// agents.
//
// Each step a mushroom is drawn uniformly (with replacement) from the 8124;
// the agent eats it or passes. Eating an edible one pays 5, a poisonous one
// 5 or -35 with equal probability, passing pays 0 (Reward). The oracle eats
// exactly the edible ones; a step's regret is the oracle's reward minus the
// agent's on the same mushroom and coin (Regret), so a lucky poisonous meal
// counts -5 and the expected cost of one is 15. A seed fixes the mushrooms
// and coins (Env, shared by every agent), the initial weights (the same for
// every agent) and each agent's own draws.
//
// The network takes the one-hot context (117 columns: every category of
// the 22 attributes) and the one-hot action (2 columns) and predicts the
// reward through Depth ReLU layers of Hidden units (the paper: 2 of 100).
// Each agent keeps the last Buffer interactions (4096, the paper's) and
// after every step takes Updates minibatch steps of Batch rows (64, the
// paper's) drawn uniformly with replacement from the buffer, with Adam.
//
// Agents:
//
//   - bbb: the BBB network (graph.New, the project's graph): the loss of a
//     minibatch is its Gaussian negative log-likelihood plus Batch/t times
//     the KL for t interactions seen so far: eq. 8 of Blundell et al. for
//     all the data, of which the buffer is a sample (Config.KLBuffer: n
//     stored instead, the posterior of the last Buffer interactions). It acts by
//     Thompson sampling: one draw of the weights per step, and the action
//     whose predicted reward is higher.
//   - greedy, epsN: the deterministic twin of the same network (twin.go):
//     the BBB network with its weights at their means (eps 0) and no KL,
//     i.e. a plain network of the same shape trained on the squared error
//     from the same initial means, built from the same fused ops. It takes
//     the action of higher predicted reward, or with probability N % a
//     uniformly random one. The twin is the paper's "standard" network.
//   - bbb-greedy, bbb-epsN: the other reading of the paper: the BBB network
//     trained as bbb's (KL, rhos and all), acting as greedy and epsN do at
//     its posterior means (Agent.PosteriorMean). Beside bbb it isolates what
//     Thompson sampling adds to the same posterior.
//
// Actions are computed on the host from the trained parameters (act.go):
// the context is one-hot, so only 24 rows of the first layer's weights
// reach the output, and only those are drawn; tests check this against the
// graph's forward pass.
//
// Hyperparameters (Config, with why):
//
//   - Hidden 100, Depth 2, Buffer 4096, Batch 64: the paper's.
//   - Prior: the paper's scale mixture, pi 1/2, sigma1 = 1, sigma2 = e^-6
//     (a point of its grid), with the one-sample Monte Carlo KL the paper
//     uses for it. --prior normal (N(0, 1), closed-form KL) is the
//     alternative; --prior mixture:PI,S1,S2 or normal:MU,SIGMA sets the
//     scales (sigma1 = e^-1 or e^-2 was no better; docs/BANDIT.md).
//   - Updates 1 per step: the paper takes 64 minibatch updates per step;
//     at 64 the paper's 50,000 steps x 4 agents x 3 seeds are 38 million
//     updates, days on two cores. One update per step (still 64 rows per
//     step) keeps the three seeds within the hour; --updates raises it.
//   - LR 1e-3 (Adam): the paper does not give one for this experiment.
//     Adam moves a parameter about LR per update whatever the size of a
//     steady gradient, so the sigmas that only the KL moves creep towards
//     the prior's width at a pace set by LR alone: 1e-3 gave BBB 24 % and
//     32 % less regret than 3e-3 at 20,000 steps on seeds 1 and 2
//     (docs/BANDIT.md). The twins use the same LR.
//   - RhoLR 1e-4 (Adam) for the BBB network's rhos, the means at LR: Adam
//     moves a rho that only the KL pushes (a small gradient of one sign,
//     weighted Batch/t) by about its rate per update, so with one rate
//     for all the sigmas creep towards the prior's width all run and
//     Thompson sampling explores more and more poisonous mushrooms. A
//     tenth of LR slows that ten times. RhoSGD (--rho-opt sgd) steps the
//     rhos by plain gradient descent instead, at a pace the gradient's
//     size (and so the KL weight) sets; at rate 1e-3 it did worse than
//     RhoLR 1e-4 on seed 2 (docs/BANDIT.md).
//   - Likelihood sigma 1 (fixed): the rewards are 0, 5 and ±20 around -15;
//     the paper does not give one.
//   - Initial means N(0, 0.1²): the twin needs means of a useful scale to
//     learn in few updates. Initial rho -8 (sigma 0.00034): the BBB network
//     starts as the twin, and its sigmas grow only as fast as the ELBO's
//     gradient moves them, one update per step (docs/BANDIT.md).
//
// Every Every steps the cumulative regrets are recorded (Result);
// WriteRegretCSV, NewSummary and DrawRegret write regret.csv, summary.json
// and the figure of the paper (log y axis, a line per agent). Job does it
// all into a folder, as `bbb bandit` does; Config.CheckSet refuses
// explicit values that cannot run, Config.SetAgents, SetPrior and
// SetKLData read the settings given as text, data.LoadMushrooms reads the
// data.
package bandit
