package cli

import (
	"os"
	"reflect"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/pelletier/go-toml/v2/unstable"
)

// eachKey calls fn with every key that the TOML document doc sets (dotted,
// with its tables), the line where it is set and its value; for a table
// header, such as [[notifications.types]], with the table's key, the
// header's line and a nil value.
func eachKey(doc []byte, fn func(key string, line int, value *unstable.Node)) {
	var p unstable.Parser
	p.Reset(doc)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e)
			it := e.Key()
			it.Next()
			fn(strings.Join(table, "."), p.Shape(it.Node().Raw).Start.Line, nil)
		case unstable.KeyValue:
			it := e.Key()
			it.Next()
			key := strings.Join(append(append([]string(nil), table...), keyParts(e)...), ".")
			fn(key, p.Shape(it.Node().Raw).Start.Line, e.Value())
		}
	}
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	for it := n.Key(); it.Next(); {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// findNonStringText returns the line, key and value kind of the first key in
// doc that sets a text field (a duration) to something other than a string.
func findNonStringText(doc []byte, cfg *app.Config) (line int, key, kind string, ok bool) {
	text := map[string]bool{}
	for _, f := range configFields(cfg) {
		text[f.Key] = isTextField(f.Value) && f.Value.Kind() != reflect.String
	}
	eachKey(doc, func(k string, l int, v *unstable.Node) {
		if !ok && v != nil && text[k] && v.Kind != unstable.String {
			line, key, kind, ok = l, k, strings.ToLower(v.Kind.String()), true
		}
	})
	return line, key, kind, ok
}

// placeConfigError tells where the key that a configuration error is about
// was set: "FILE:LINE: message" when the config file at path sets it, the
// message followed by "(set by VARIABLE)" when the environment does (which
// wins over the file). Errors that name no key, or a key left at its
// default, come back unchanged, as do errors other than EINVALID.
func placeConfigError(err error, path string, environ []string) error {
	if err == nil || app.ErrorKind(err) != app.EINVALID {
		return err
	}
	msg := app.ErrorMessage(err)
	defaults := app.DefaultConfig()
	key, at := "", len(msg)
	for _, f := range configFields(&defaults) {
		i := indexWord(msg, f.Key)
		if i >= 0 && (i < at || (i == at && len(f.Key) > len(key))) {
			key, at = f.Key, i
		}
	}
	if key == "" {
		return err
	}
	for _, f := range configFields(&defaults) {
		if f.Key != key {
			continue
		}
		for _, name := range []string{f.Env, f.Env + EnvFileSuffix} {
			if _, set := lookupEnvOK(environ, name); set {
				return app.Errorf(app.EINVALID, "%s (set by %s)", strings.TrimSuffix(msg, "."), name)
			}
		}
	}
	if path == "" {
		return err
	}
	doc, rerr := os.ReadFile(path)
	if rerr != nil {
		return err
	}
	line := 0
	eachKey(doc, func(k string, l int, _ *unstable.Node) {
		if line == 0 && (k == key || strings.HasPrefix(k, key+".")) {
			line = l
		}
	})
	if line == 0 {
		return err
	}
	return app.Errorf(app.EINVALID, "%s:%d: %s", path, line, msg)
}

// indexWord returns the first index of key in msg that is not part of a
// longer key (server.listen in server.listen_x), or -1.
func indexWord(msg, key string) int {
	for off := 0; ; {
		i := strings.Index(msg[off:], key)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(key)
		if end == len(msg) || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz_", rune(msg[end])) {
			return i
		}
		off = end
	}
}
