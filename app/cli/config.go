package cli

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// EnvPrefix starts every environment variable Belfry reads. A configuration
// key section.key is overridden by EnvPrefix + "SECTION_KEY", e.g.
// BELFRY_SERVER_LISTEN for server.listen.
const EnvPrefix = "BELFRY_"

// Environment variables read by the command line rather than mapped onto a
// configuration key. LoadConfig accepts them beside the key overrides.
const (
	EnvConfig    = "BELFRY_CONFIG"     // the config file, when --config is not given
	EnvToken     = "BELFRY_TOKEN"      // the API token of belfry notify
	EnvServerURL = "BELFRY_SERVER_URL" // the server of belfry notify
)

// LoadConfig returns app.DefaultConfig overlaid with the TOML file at path (none
// when path is "") and then with the BELFRY_<SECTION>_<KEY> variables of
// environ (KEY=VALUE strings, as os.Environ returns). Unknown keys in the
// file and unknown BELFRY_ variables are errors, so a typo never passes
// silently. Every error is app.EINVALID with a one-line message naming the file
// and line, or the variable. LoadConfig does not Validate.
func LoadConfig(path string, environ []string) (app.Config, error) {
	cfg := app.DefaultConfig()
	if path != "" {
		if err := decodeConfigFile(path, &cfg); err != nil {
			return app.Config{}, err
		}
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return app.Config{}, err
	}
	// An empty list in the file or the environment means "none", the same as
	// the default's nil.
	if len(cfg.Server.TrustedProxies) == 0 {
		cfg.Server.TrustedProxies = nil
	}
	if len(cfg.Notifications.Types) == 0 {
		cfg.Notifications.Types = nil
	}
	return cfg, nil
}

func decodeConfigFile(path string, cfg *app.Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return app.Errorf(app.EINVALID, "config file %s does not exist.", path)
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return app.Errorf(app.EINVALID, "cannot read config file %s: %v.", path, err)
	}
	err = toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields().Decode(cfg)
	if err == nil {
		return nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		line, _ := e.Position()
		what := "key"
		if strings.Contains(e.Error(), "table") {
			what = "section"
		}
		more := ""
		if n := len(strict.Errors) - 1; n > 0 {
			more = fmt.Sprintf(" (and %d more)", n)
		}
		return app.Errorf(app.EINVALID, "%s:%d: unknown %s %q%s", path, line, what, strings.Join(e.Key(), "."), more)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		msg := friendlyDecodeMessage(strings.TrimPrefix(de.Error(), "toml: "))
		if key := strings.Join(de.Key(), "."); key != "" && len(de.Key()) > 1 {
			return app.Errorf(app.EINVALID, "%s:%d: %s: %s", path, line, key, msg)
		}
		return app.Errorf(app.EINVALID, "%s:%d: %s", path, line, msg)
	}
	// go-toml reports a TextUnmarshaler's error on a non-string value (such
	// as sticky = 60 for a duration) without a position: find the key.
	if line, key, kind, ok := findNonStringText(b, cfg); ok {
		return app.Errorf(app.EINVALID, "%s:%d: %s: %s", path, line, key, friendlyDecodeMessage(
			fmt.Sprintf("cannot decode TOML %s into struct field - of type app.Duration", kind)))
	}
	return app.Errorf(app.EINVALID, "%s: %s", path, strings.TrimPrefix(err.Error(), "toml: "))
}

// findNonStringText returns the line, key and value kind of the first key in
// doc that sets a text field (a duration) to something other than a string.
func findNonStringText(doc []byte, cfg *app.Config) (line int, key, kind string, ok bool) {
	text := map[string]bool{}
	for _, f := range configFields(cfg) {
		text[f.Key] = isTextField(f.Value) && f.Value.Kind() != reflect.String
	}
	var p unstable.Parser
	p.Reset(doc)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e)
		case unstable.KeyValue:
			k := strings.Join(append(append([]string(nil), table...), keyParts(e)...), ".")
			if v := e.Value(); text[k] && v.Kind != unstable.String {
				it := e.Key()
				it.Next()
				return p.Shape(it.Node().Raw).Start.Line, k, strings.ToLower(v.Kind.String()), true
			}
		}
	}
	return 0, "", "", false
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	for it := n.Key(); it.Next(); {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

var typeMismatch = regexp.MustCompile(`^cannot decode TOML (\w+) into struct field \S+ of type (\S+)$`)

// friendlyDecodeMessage rewrites go-toml's type mismatch message, which names
// Go struct fields, into the vocabulary of the config file.
func friendlyDecodeMessage(msg string) string {
	m := typeMismatch.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := map[string]string{
		"string": "a string", "bool": "true or false", "int": "an integer",
		"float64": "a number", "app.Duration": `a duration string such as "10s"`,
	}[m[2]]
	if want == "" {
		want = "a " + m[2]
	}
	return fmt.Sprintf("expected %s, not %s %s", want, article(m[1]), m[1])
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// configField is one key of the configuration: its dotted name, its
// environment variable and the field it sets.
type configField struct {
	Key   string
	Env   string
	Value reflect.Value
	// Scalar is false for keys that only the file can set (arrays of tables).
	Scalar bool
}

// configFields walks cfg by its toml tags and returns every leaf key, so a
// key added to app.Config is covered by the environment and the tests without
// further code.
func configFields(cfg *app.Config) []configField {
	var out []configField
	var walk func(v reflect.Value, path []string)
	walk = func(v reflect.Value, path []string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fv := v.Field(i)
			p := append(append([]string(nil), path...), name)
			if fv.Kind() == reflect.Struct && !isTextField(fv) {
				walk(fv, p)
				continue
			}
			out = append(out, configField{
				Key:    strings.Join(p, "."),
				Env:    EnvPrefix + strings.ToUpper(strings.Join(p, "_")),
				Value:  fv,
				Scalar: isScalarField(fv),
			})
		}
	}
	walk(reflect.ValueOf(cfg).Elem(), nil)
	return out
}

func isTextField(v reflect.Value) bool {
	_, ok := v.Addr().Interface().(encoding.TextUnmarshaler)
	return ok
}

func isScalarField(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return true
	case reflect.Slice:
		return v.Type().Elem().Kind() == reflect.String
	}
	return isTextField(v)
}

// applyEnv sets every key named by a BELFRY_ variable of environ.
func applyEnv(cfg *app.Config, environ []string) error {
	fields := map[string]configField{}
	for _, f := range configFields(cfg) {
		fields[f.Env] = f
	}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		switch name {
		case EnvConfig, EnvToken, EnvServerURL:
			continue
		}
		f, known := fields[name]
		if !known {
			return app.Errorf(app.EINVALID, "environment variable %s names no configuration key (see config.example.toml).", name)
		}
		if !f.Scalar {
			return app.Errorf(app.EINVALID, "environment variable %s: %s can only be set in the config file.", name, f.Key)
		}
		if err := setField(f.Value, value); err != nil {
			return app.Errorf(app.EINVALID, "environment variable %s: %v.", name, err)
		}
	}
	return nil
}

// setField parses text into the field v; lists are comma-separated.
func setField(v reflect.Value, text string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(text))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not true or false", text)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return fmt.Errorf("%q is not an integer", text)
		}
		v.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", text)
		}
		v.SetFloat(x)
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(text, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		v.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("values of type %s cannot be set from the environment", v.Type())
	}
	return nil
}
