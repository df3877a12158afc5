package train

// Streams of the seeded PCG source (seed, stream): one per use. The first
// two are data's (package data draws the curve's noise and the held-out
// rows from them); they stay listed here so that the others keep their
// numbers, and with them every seed's runs.
const (
	streamNoise uint64 = iota + 1
	streamSplit
	streamInit
	streamEps
	streamValEps
	streamPredict // + sample index
)

// philoxSeed is the key of a resident network's epsilon streams for one use
// of seed (splitmix64 of seed and the use).
func philoxSeed(seed, stream uint64) uint64 {
	z := seed + stream*0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// PhiloxSeed is philoxSeed for other packages' resident networks (the
// bandit's): the key of the epsilon streams of one use of seed.
func PhiloxSeed(seed, stream uint64) uint64 { return philoxSeed(seed, stream) }
