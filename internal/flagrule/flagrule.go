package flagrule

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Effect is one condition a flag needs to have an effect.
type Effect struct {
	On  string                        // the flag that decides ("": the command itself)
	Has func(v string, set bool) bool // whether the flag has an effect, given On's value and whether the user set On
	Why string                        // a short reason, in parentheses ("": none)
}

// Table maps each flag of a command to the conditions under which it has
// an effect; all must hold (nil: the flag always has an effect).
type Table map[string][]Effect

// When: an effect only while on's value is one of vals.
func When(on, why string, vals ...string) Effect {
	return Effect{On: on, Why: why, Has: func(v string, _ bool) bool { return slices.Contains(vals, v) }}
}

// Unless: no effect while on's value is val.
func Unless(on, val, why string) Effect {
	return Effect{On: on, Why: why, Has: func(v string, _ bool) bool { return v != val }}
}

// UnlessSet: no effect once the user sets on.
func UnlessSet(on, why string) Effect {
	return Effect{On: on, Why: why, Has: func(_ string, set bool) bool { return !set }}
}

// Never: no effect in this command at all.
func Never(why string) Effect {
	return Effect{Why: why, Has: func(string, bool) bool { return false }}
}

// Parse reads one flag's conditions as text: rules separated by ";",
// each "COND" or "COND: WHY", COND one of
//
//	ON=V1|V2  When(ON, WHY, V1, V2): an effect only while ON is V1 or V2 ("ON=": ON empty)
//	ON!=V     Unless(ON, V, WHY): no effect while ON is V
//	!ON       UnlessSet(ON, WHY): no effect once the user sets ON
//	never     Never(WHY)
//
// A name has no space and none of "!=:|;"; a value no ":" or ";" (and an
// Unless value no "|").
// (the effect tag of a settings struct's field: FromTags).
func Parse(text string) ([]Effect, error) {
	var out []Effect
	for _, rule := range strings.Split(text, ";") {
		cond, why, _ := strings.Cut(strings.TrimSpace(rule), ": ")
		on, vals, hasValue := strings.Cut(cond, "=")
		unlessSet := !hasValue && strings.HasPrefix(cond, "!") && isName(cond[1:])
		unless := hasValue && strings.HasSuffix(on, "!") && isName(strings.TrimSuffix(on, "!")) && !strings.ContainsAny(vals, "|:")
		when := hasValue && isName(on) && !strings.Contains(vals, ":")
		switch {
		case cond == "never":
			out = append(out, Never(why))
		case unlessSet:
			out = append(out, UnlessSet(cond[1:], why))
		case unless:
			out = append(out, Unless(strings.TrimSuffix(on, "!"), vals, why))
		case when:
			out = append(out, When(on, why, strings.Split(vals, "|")...))
		default:
			return nil, fmt.Errorf("flagrule: rule %q: want ON=V1|V2, ON!=V, !ON or never, then \": WHY\"", rule)
		}
	}
	return out, nil
}

// isName reports text that can be a flag's name in a rule.
func isName(s string) bool { return s != "" && !strings.ContainsAny(s, "!=:|; ") }

// FromTags is the Table of flags whose conditions are given as text (a
// settings struct's effect tags, by flag: settingflag.Tags), each read by
// Parse; "" is nil (always an effect). Text Parse cannot read is a
// programming error (panic).
func FromTags(tags map[string]string) Table {
	t := Table{}
	for name, text := range tags {
		t[name] = nil
		if text == "" {
			continue
		}
		effects, err := Parse(text)
		if err != nil {
			panic(fmt.Sprintf("flag --%s: %v", name, err))
		}
		t[name] = effects
	}
	return t
}

// With returns t with the conditions in more added (after t's own: a
// command's mode is named first, then the finer conditions).
func (t Table) With(more Table) Table {
	out := maps.Clone(t)
	for k, v := range more {
		out[k] = append(slices.Clone(v), out[k]...)
	}
	return out
}

// Check returns an error for the first flag (in name order: one message
// run after run) that the user set (explicit, before any preset filled
// the others) and that has no effect with fs's final values, as
// "--format svg: has no effect with --no-figures", the Effect's Why in
// parentheses after it; the command of an Effect without On is
// "bbb "+fs.Name().
func (t Table) Check(fs *flag.FlagSet, explicit map[string]bool) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || !explicit[f.Name] {
			return
		}
		for _, e := range t[f.Name] {
			var v string
			if e.On != "" {
				v = fs.Lookup(e.On).Value.String()
			}
			if !e.Has(v, explicit[e.On]) {
				err = errors.New(Text(f, f.Value.String()) + ": has no effect " + e.context(fs, v) + reason(e.Why))
				return
			}
		}
	})
	return err
}

// context says what makes the flag ineffective: "with --prior normal",
// "without --data", "with --no-figures", "in bbb bench".
func (e Effect) context(fs *flag.FlagSet, v string) string {
	if e.On == "" {
		return "in bbb " + fs.Name()
	}
	f := fs.Lookup(e.On)
	if v == "" || (IsBool(f) && v == "false") {
		return "without --" + e.On
	}
	return "with " + Text(f, v)
}

// Text is a flag with value v as a user types it: "--prior normal", or
// "--no-figures" for a boolean flag that is true.
func Text(f *flag.Flag, v string) string {
	if IsBool(f) && v == "true" {
		return "--" + f.Name
	}
	return "--" + f.Name + " " + v
}

// IsBool reports a boolean flag (one that takes no value).
func IsBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func reason(why string) string {
	if why == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", why)
}
