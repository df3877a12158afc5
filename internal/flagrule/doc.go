// Package flagrule refuses a flag the user set where it would have no
// effect: `--prior-pi 0.3` with the normal prior, `--points 500` with
// --data. A Table lists, for every flag of a flag.FlagSet, the conditions
// under which it has an effect (When, Unless, UnlessSet, Never); Check
// applies it once the flags are final and names, in one line, the flag and
// the flag that makes it ineffective.
package flagrule
