// Package job runs what `bbb train`, `bbb predict` and `bbb prune` run,
// as a library: fit a Bayes by Backprop network, evaluate it, write a run
// folder's files, and use a trained network.
//
// Regression is the regression job, on the seed's curve or on data in
// the caller's hands (a CSV file read by package data): training with
// loss reports, predictive bands over the validation (and training)
// inputs, and the files summary.json, losses.csv, layers.csv,
// pred_val.csv, graph.dot and the figures. Classification is the paper's
// MNIST classifier: epochs with the validation error, the test error, an
// optional start from a saved model with its weights pruned and held at
// zero, and summary.json, losses.csv, graph.dot and the figures.
// Predict samples a trained regression network's predictive distribution
// at new inputs (bbb predict's rows, WritePredictions,
// Predictions.WriteFile). Prune is the paper's pruning experiment: it
// removes a trained classifier's weights of lowest signal-to-noise ratio,
// share after share, and writes the test error of each, prune.csv and its
// figures. Both take the network rebuilt
// from a saved model (modelfile.Read, graph.New,
// modelfile.File.SetParams). docs/CLI.md describes the files,
// docs/RUN-DIRECTORY.md the run folder.
//
// A job writes every file into the folder it is given and nothing else
// (but the model file of Outputs.Save, which may lie elsewhere). Making
// that folder a run folder that is replaced whole or not at all is the
// caller's (package rundir: bbb passes rundir's stage and commits it when
// the job returns without an error, or with one wrapping
// train.ErrDiverged, whose losses say where the run went wrong).
//
// A job returns errors and never exits: a problem with its inputs rather
// than with the run is an *InputError, which bbb words with its flags'
// names. The caller follows the job through Hooks: the stages it enters
// (bbb's message of an interrupted run names the stage), and the
// training loop (bbb's --cpuprofile: StartCPUProfile). Both are plain
// functions, so that the package leaves the process's signals and stage
// name (package interrupt) to the command.
//
// The settings a user gives a run, as numbers and names, are checked
// before any work and converted here: ModelSettings (the network, its
// data size, the optimiser and the paper's options: CheckValues,
// CheckOptions, GraphConfig, TrainConfig), RunSettings (epochs, passes,
// reports and checkpoints), DataSettings (a CSV data set: Check, Load),
// BenchSettings (bbb bench's sizes and timing) and CheckMNISTSplits. A bad
// one is a *SettingError naming the setting by its field ("Hidden"), and
// any other its reason names (Refs): SettingError.Text words it with a
// program's own names (bbb: its flags).
//
// Zero fields of a job's configuration are defaults: a Regression with
// nothing set trains train.Config's default network (the seed program's)
// on the seed's curve and draws PNG figures.
//
// The MNIST jobs share their model: MNISTGraph (a classifier of 784 inputs
// and 10 classes, started at MNISTInit), CheckMNISTModel for a saved one,
// CheckPruneShare for a share of its Weights, MNISTMemorySizes for the
// memory check before a run. SummaryMetrics lists the
// numbers a summary.json can hold.
package job
