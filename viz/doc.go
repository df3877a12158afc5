// Package viz draws the project's figures with gonum/plot: the data, the
// predictive mean with its shaded 5-95% band over the data points, the
// train and validation loss curves, and the CPU-vs-GPU benchmark. The file
// format follows the extension (.png, .svg or .pdf); files are written
// atomically, so a failed save leaves any earlier figure whole.
package viz
