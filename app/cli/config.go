package cli

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/pelletier/go-toml/v2"
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
	if len(cfg.Provision.Users) == 0 {
		cfg.Provision.Users = nil
	}
	if len(cfg.Provision.Tokens) == 0 {
		cfg.Provision.Tokens = nil
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
	// Secret is set by the tag secret:"true": the key can also be read
	// from a file named by Env + EnvFileSuffix.
	Secret bool
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
				Secret: t.Field(i).Tag.Get("secret") == "true",
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

// EnvFileSuffix turns the variable of a secret-bearing key into one that
// names a file holding the secret: BELFRY_AUTH_ADMIN_PASSWORD_FILE for
// auth.admin_password, the way Docker secrets and systemd credentials are
// handed to a service.
const EnvFileSuffix = "_FILE"

// EnvCredentialsDirectory is set by systemd for a unit with LoadCredential=;
// a relative path in a _FILE variable is looked up there.
const EnvCredentialsDirectory = "CREDENTIALS_DIRECTORY"

// applyEnv sets every key named by a BELFRY_ variable of environ. A secret
// key's variable with EnvFileSuffix reads the value from that file.
func applyEnv(cfg *app.Config, environ []string) error {
	fields := map[string]configField{}
	for _, f := range configFields(cfg) {
		fields[f.Env] = f
	}
	set := map[string]string{} // key → the variable that set it
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
			base, isFile := strings.CutSuffix(name, EnvFileSuffix)
			f, known = fields[base]
			if !known || !isFile {
				return app.Errorf(app.EINVALID, "environment variable %s names no configuration key (see config.example.toml).", name)
			}
			if !f.Secret {
				return app.Errorf(app.EINVALID, "environment variable %s: %s is not a secret and cannot be read from a file; set %s.", name, f.Key, base)
			}
			secret, err := readSecretFile(value, environ)
			if err != nil {
				return app.Errorf(app.EINVALID, "environment variable %s: %v.", name, err)
			}
			value = secret
		}
		if other, twice := set[f.Key]; twice && other != name {
			return app.Errorf(app.EINVALID, "environment variables %s and %s both set %s: keep one.", other, name, f.Key)
		}
		set[f.Key] = name
		if !f.Scalar {
			return app.Errorf(app.EINVALID, "environment variable %s: %s can only be set in the config file.", name, f.Key)
		}
		if err := setField(f.Value, value); err != nil {
			return app.Errorf(app.EINVALID, "environment variable %s: %v.", name, err)
		}
	}
	return nil
}

// readSecretFile returns the content of the file at path without its final
// line break (files written by echo or an editor end in one). A relative
// path is looked up in $CREDENTIALS_DIRECTORY when systemd set it. The
// content never appears in an error.
func readSecretFile(path string, environ []string) (string, error) {
	if path == "" {
		return "", errors.New("names no file")
	}
	if dir := lookupEnv(environ, EnvCredentialsDirectory); dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("cannot read %s: %v", path, err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// lookupEnv returns the value of the variable name in environ.
func lookupEnv(environ []string, name string) string {
	v, _ := lookupEnvOK(environ, name)
	return v
}

// lookupEnvOK returns the value of the variable name in environ and whether
// it is set.
func lookupEnvOK(environ []string, name string) (string, bool) {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
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
