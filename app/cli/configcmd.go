package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server"
	"github.com/pelletier/go-toml/v2"
)

var configCommands = []subcommand{
	{"check", "[--config FILE]", (*runner).configCheck},
	{"defaults", "[--env]", (*runner).configDefaults},
}

func (r *runner) configCmd(ctx context.Context, args []string) error {
	return r.group(ctx, "config", "Check a configuration, or print the built-in defaults.", configCommands, args)
}

func (r *runner) configCheck(_ context.Context, args []string) error {
	fs := r.flags("config check", "[--config FILE]",
		"Check the configuration that serve would use — the file named by --config or $BELFRY_CONFIG, then\n"+
			"the BELFRY_ variables — with every check serve makes before it opens the database. On a problem it\n"+
			"exits 2 and names the file and line, or the variable, that set the bad key.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	if err := server.CheckConfig(cfg); err != nil {
		return &UsageError{Err: placeConfigError(err, r.configPath(fs), r.environ)}
	}
	what := "The built-in defaults"
	if path := r.configPath(fs); path != "" {
		what = path
	}
	if n := r.envKeys(); n > 0 {
		what += " with " + app.Count(n, "BELFRY_ variable")
	}
	fmt.Fprintf(r.stdout, "%s: the configuration is valid.\n", what)
	return nil
}

// envKeys counts the BELFRY_ variables that set configuration keys.
func (r *runner) envKeys() int {
	n := 0
	for _, kv := range r.environ {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case !strings.HasPrefix(name, EnvPrefix), name == EnvConfig, name == EnvToken, name == EnvServerURL:
		default:
			n++
		}
	}
	return n
}

func (r *runner) configDefaults(_ context.Context, args []string) error {
	fs := r.flags("config defaults", "[--env]",
		"Print the built-in defaults of every key: as a TOML config file, or with --env as an environment\n"+
			"file (KEY=value lines, as systemd's EnvironmentFile= and docker --env-file read them). Keys\n"+
			"that only a file can set, and secrets, are commented out there. config.example.toml explains each key.")
	env := fs.Bool("env", false, "print BELFRY_<SECTION>_<KEY>=value lines instead of TOML")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *env {
		return writeDefaultsEnv(r.stdout)
	}
	b, err := toml.Marshal(app.DefaultConfig())
	if err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "# Belfry's built-in defaults (belfry config defaults); config.example.toml explains every key.\n\n%s", b)
	return nil
}

// writeDefaultsEnv writes every key's default as an environment file.
func writeDefaultsEnv(w io.Writer) error {
	fmt.Fprint(w, "# Belfry's built-in defaults (belfry config defaults --env); config.example.toml explains every key.\n")
	cfg := app.DefaultConfig()
	for _, f := range configFields(&cfg) {
		switch {
		case !f.Scalar:
			fmt.Fprintf(w, "# %s: only in the config file\n", f.Key)
		case f.Secret:
			fmt.Fprintf(w, "#%s=\n#%s%s=\n", f.Env, f.Env, EnvFileSuffix)
		default:
			value, err := fieldText(f)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s=%s\n", f.Env, value)
		}
	}
	return nil
}

// fieldText is the environment form of a scalar field's value: what
// setField reads back.
func fieldText(f configField) (string, error) {
	v := f.Value.Interface()
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ","), nil
	case app.Duration:
		return x.String(), nil
	}
	return fmt.Sprint(v), nil
}
