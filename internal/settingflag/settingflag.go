package settingflag

import (
	"flag"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// flagTypes are the types a flag-tagged field may have (not another named
// type of them: the flag package sets these exactly).
var flagTypes = []reflect.Type{reflect.TypeFor[int](), reflect.TypeFor[uint64](), reflect.TypeFor[float64](),
	reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[time.Duration]()}

// fields calls fn for every flag-tagged field of the struct s points to,
// and of the structs it embeds. s must be a non-nil pointer to a struct,
// and each tagged field exported and of a flagTypes type; anything else
// is a programming error (panic).
func fields(s any, fn func(f reflect.StructField, v reflect.Value)) {
	p := reflect.ValueOf(s)
	if p.Kind() != reflect.Pointer || p.IsNil() || p.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("settingflag: %T is not a non-nil pointer to a struct", s))
	}
	v := p.Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if !f.IsExported() && hasFlags(f.Type) {
				panic(fmt.Sprintf("settingflag: field %s: an embedded struct of flags must be exported", f.Name))
			}
			if f.IsExported() {
				fields(v.Field(i).Addr().Interface(), fn)
			}
			continue
		}
		if f.Tag.Get("flag") == "" {
			continue
		}
		if !f.IsExported() {
			panic(fmt.Sprintf("settingflag: field %s: a flag's field must be exported", f.Name))
		}
		if !slices.Contains(flagTypes, f.Type) {
			panic(fmt.Sprintf("settingflag: field %s: type %s is not a flag's", f.Name, f.Type))
		}
		fn(f, v.Field(i))
	}
}

// hasFlags reports a struct type with a flag-tagged field.
func hasFlags(t reflect.Type) bool {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("flag") != "" {
			return true
		}
	}
	return false
}

// SetDefaults sets every flag-tagged field of the struct s points to
// from its default tag (its zero value without one). A default the field
// cannot hold is a programming error (panic).
func SetDefaults(s any) {
	fields(s, func(f reflect.StructField, v reflect.Value) {
		v.SetZero()
		if d, ok := f.Tag.Lookup("default"); ok {
			if err := set(v, d); err != nil {
				panic(fmt.Sprintf("settingflag: field %s: default %q: %v", f.Name, d, err))
			}
		}
	})
}

// Register defines a flag in fs for every flag-tagged field of the
// struct s points to, setting the field, with the field's current value
// as the flag's default and the help tag as its usage (SetDefaults first
// for the tagged defaults).
func Register(fs *flag.FlagSet, s any) {
	fields(s, func(f reflect.StructField, v reflect.Value) {
		name, help := f.Tag.Get("flag"), f.Tag.Get("help")
		switch p := v.Addr().Interface().(type) {
		case *int:
			fs.Var((*decimalInt)(p), name, help)
		case *uint64:
			fs.Var((*decimalUint64)(p), name, help)
		case *float64:
			fs.Var((*decimalFloat)(p), name, help)
		case *string:
			fs.StringVar(p, name, *p, help)
		case *bool:
			fs.BoolVar(p, name, *p, help)
		case *time.Duration:
			fs.DurationVar(p, name, *p, help)
		default:
			panic(fmt.Sprintf("settingflag: field %s: type %s is not a flag's", f.Name, f.Type))
		}
	})
}

// Define sets every flag-tagged field of the structs ss point to from its
// default tag (SetDefaults) and defines its flag in fs (Register).
func Define(fs *flag.FlagSet, ss ...any) {
	for _, s := range ss {
		SetDefaults(s)
		Register(fs, s)
	}
}

// Names returns the flag of every flag-tagged field of the structs ss
// point to, by field name ("Layers" → "--layers"). Two fields of one name
// with different flags are a programming error (panic).
func Names(ss ...any) map[string]string {
	out := map[string]string{}
	for _, s := range ss {
		fields(s, func(f reflect.StructField, _ reflect.Value) {
			name := "--" + f.Tag.Get("flag")
			if old, ok := out[f.Name]; ok && old != name {
				panic(fmt.Sprintf("settingflag: field %s is %s and %s", f.Name, old, name))
			}
			out[f.Name] = name
		})
	}
	return out
}

// Tags returns the tag key of every flag-tagged field of the structs ss
// point to, by the field's flag ("layers"), "" for a field without it. One
// flag with two different such tags is a programming error (panic).
func Tags(key string, ss ...any) map[string]string {
	out := map[string]string{}
	for _, s := range ss {
		fields(s, func(f reflect.StructField, _ reflect.Value) {
			name, tag := f.Tag.Get("flag"), f.Tag.Get(key)
			if old, ok := out[name]; ok && old != tag {
				panic(fmt.Sprintf("settingflag: flag --%s has %s tags %q and %q", name, key, old, tag))
			}
			out[name] = tag
		})
	}
	return out
}

// set parses text into v as its flag would.
func set(v reflect.Value, text string) error {
	switch v.Kind() {
	case reflect.Int64: // (time.Duration: the only int64 of flagTypes)
		d, err := time.ParseDuration(text)
		v.SetInt(int64(d))
		return err
	case reflect.Int:
		n, err := parseInt(text)
		v.SetInt(int64(n))
		return err
	case reflect.Uint64:
		n, err := parseUint(text)
		v.SetUint(n)
		return err
	case reflect.Float64:
		x, err := parseFloat(text)
		v.SetFloat(x)
		return err
	case reflect.String:
		v.SetString(text)
		return nil
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		v.SetBool(b)
		return err
	}
	return fmt.Errorf("type %s is not a flag's", v.Type())
}
