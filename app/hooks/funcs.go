package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"text/template"
)

// The functions a mapping's templates may call. Every one that touches
// text charges the rendering's budget by the bytes it handles, so a
// template cannot make the server work without end; text/template's
// builtins that format or compare are replaced by such functions, and
// call is not available.

// renderBudget bounds the bytes the functions of one rendering handle,
// callCost the price of a call.
const (
	renderBudget = 16 << 20
	callCost     = 16
)

var errWork = errors.New("the templates did too much work on this input")

// budget is what one rendering may still spend.
type budget struct{ left int }

func (b *budget) spend(n int) error {
	if b == nil {
		return nil
	}
	if b.left -= n + callCost; b.left < 0 {
		return errWork
	}
	return nil
}

// funcs returns the function map charging b; nil (for parsing) charges
// nothing.
func funcs(b *budget) template.FuncMap {
	str := func(f func(string) string) func(any) (string, error) {
		return func(v any) (string, error) {
			s := text(v)
			return f(s), b.spend(len(s))
		}
	}
	test := func(f func(s, sub string) bool) func(string, any) (bool, error) {
		return func(sub string, v any) (bool, error) {
			s := text(v)
			return f(s, sub), b.spend(len(s))
		}
	}
	escape := func(f func(string) string) func(...any) (string, error) {
		return func(args ...any) (string, error) {
			s := texts(args, "")
			return f(s), b.spend(len(s))
		}
	}
	return template.FuncMap{
		// show prints an action's value: nothing for null or a missing
		// field, JSON for objects and arrays. Every printing action ends
		// in it (see compile).
		"show":     func(v any) (string, error) { s := text(v); return s, b.spend(len(s)) },
		"print":    func(args ...any) (string, error) { s := texts(args, ""); return s, b.spend(len(s)) },
		"println":  func(args ...any) (string, error) { s := texts(args, " ") + "\n"; return s, b.spend(len(s)) },
		"printf":   func(format string, args ...any) (string, error) { return printf(b, format, args) },
		"html":     escape(template.HTMLEscapeString),
		"js":       escape(template.JSEscapeString),
		"urlquery": escape(url.QueryEscape),
		"eq":       func(a any, bs ...any) (bool, error) { return equal(b, a, bs) },
		"ne":       func(a, c any) (bool, error) { eq, err := equal(b, a, []any{c}); return !eq, err },
		"lt":       order(b, "lt", func(c int) bool { return c < 0 }),
		"le":       order(b, "le", func(c int) bool { return c <= 0 }),
		"gt":       order(b, "gt", func(c int) bool { return c > 0 }),
		"ge":       order(b, "ge", func(c int) bool { return c >= 0 }),
		"call":     func(...any) (any, error) { return nil, errors.New("call is not available in mappings") },

		"upper":     str(strings.ToUpper),
		"lower":     str(strings.ToLower),
		"trim":      str(strings.TrimSpace),
		"contains":  test(strings.Contains),
		"hasPrefix": test(strings.HasPrefix),
		"hasSuffix": test(strings.HasSuffix),
		"replace":   func(old, new string, v any) (string, error) { return replace(b, old, new, text(v)) },
		"join":      func(sep string, list any) (string, error) { return join(b, sep, list) },
		"truncate": func(n int, v any) (string, error) {
			s := text(v)
			return clipText(s, max(n, len("…"))), b.spend(len(s))
		},
		"default": func(def, v any) any {
			if empty(v) {
				return def
			}
			return v
		},
		"json": func(v any) (string, error) {
			out, err := json.Marshal(v)
			if err != nil {
				return "", err
			}
			return string(out), b.spend(len(out))
		},
		"num": func(v any) (float64, error) {
			f, ok := number(v)
			if !ok {
				return 0, fmt.Errorf("num: %.40q is not a number", text(v))
			}
			return f, b.spend(0)
		},
	}
}

// text is how a JSON value prints: nothing for null, the text of strings,
// numbers and booleans, compact JSON for objects and arrays.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool, int, float64:
		return fmt.Sprint(v)
	case map[string]any, []any:
		out, _ := json.Marshal(v)
		return string(out)
	}
	return fmt.Sprint(v)
}

func texts(args []any, sep string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = text(a)
	}
	return strings.Join(parts, sep)
}

// empty is what default replaces: null, false, "", an empty object or
// array.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// number reads v as a number: a JSON number, a Go number, or text that is
// one.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	return 0, false
}

// isNumber reports whether v is a number rather than text.
func isNumber(v any) bool {
	if _, ok := v.(string); ok || v == nil {
		return false
	}
	_, ok := number(v)
	return ok
}

// equal reports whether a equals one of bs: numbers by value (a JSON
// number equals the literal 0), text, booleans and null as themselves;
// values of different kinds are not equal. Objects and arrays cannot be
// compared.
func equal(b *budget, a any, bs []any) (bool, error) {
	for _, c := range bs {
		if err := b.spend(len(text(a)) + len(text(c))); err != nil {
			return false, err
		}
		switch {
		case !comparable(a) || !comparable(c):
			return false, errors.New("eq compares text, numbers, booleans and null, not objects or arrays")
		case isNumber(a) && isNumber(c):
			x, _ := number(a)
			y, _ := number(c)
			if x == y {
				return true, nil
			}
		case isNumber(a) || isNumber(c):
		case a == c:
			return true, nil
		}
	}
	return false, nil
}

func comparable(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// order returns lt, le, gt or ge: two numbers by value, or two texts.
func order(b *budget, name string, ok func(int) bool) func(a, c any) (bool, error) {
	return func(a, c any) (bool, error) {
		if err := b.spend(len(text(a)) + len(text(c))); err != nil {
			return false, err
		}
		if isNumber(a) && isNumber(c) {
			x, _ := number(a)
			y, _ := number(c)
			switch {
			case x < y:
				return ok(-1), nil
			case x > y:
				return ok(1), nil
			}
			return ok(0), nil
		}
		sa, aText := a.(string)
		sc, cText := c.(string)
		if !aText || !cText {
			return false, fmt.Errorf("%s compares two numbers or two texts", name)
		}
		return ok(strings.Compare(sa, sc)), nil
	}
}

// maxWidth bounds a printf width or precision.
const maxWidth = 64

// printf is fmt.Sprintf with JSON values printed as text, and widths and
// precisions of at most maxWidth (no *, no argument indexes).
func printf(b *budget, format string, args []any) (string, error) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0", format[j]) >= 0 {
			j++
		}
		for _, part := range []bool{true, false} { // width, then precision
			if !part {
				if j >= len(format) || format[j] != '.' {
					break
				}
				j++
			}
			k := j
			for j < len(format) && format[j] >= '0' && format[j] <= '9' {
				j++
			}
			if n, _ := strconv.Atoi(format[k:j]); n > maxWidth {
				return "", fmt.Errorf("printf widths and precisions are at most %d", maxWidth)
			}
		}
		if j < len(format) && (format[j] == '*' || format[j] == '[') {
			return "", errors.New("printf takes no * widths or [n] argument indexes in mappings")
		}
		i = j
	}
	conv := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case json.Number:
			if f, err := a.Float64(); err == nil {
				conv[i] = f
				continue
			}
			conv[i] = a.String()
		case map[string]any, []any:
			conv[i] = text(a)
		default:
			conv[i] = a
		}
	}
	s := fmt.Sprintf(format, conv...)
	return s, b.spend(len(s))
}

// replace is strings.ReplaceAll, charged for the text it makes before it
// makes it.
func replace(b *budget, old, new, s string) (string, error) {
	if old == "" {
		return "", errors.New("replace needs text to replace")
	}
	if err := b.spend(len(s) + strings.Count(s, old)*len(new)); err != nil {
		return "", err
	}
	return strings.ReplaceAll(s, old, new), nil
}

// join joins the texts of a JSON array.
func join(b *budget, sep string, list any) (string, error) {
	items, ok := list.([]any)
	if !ok && list != nil {
		return "", errors.New("join needs an array")
	}
	parts := make([]string, len(items))
	n := 0
	for i, it := range items {
		parts[i] = text(it)
		n += len(parts[i]) + len(sep)
	}
	if err := b.spend(n); err != nil {
		return "", err
	}
	return strings.Join(parts, sep), nil
}
