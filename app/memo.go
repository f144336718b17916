package app

import "context"

// Memoise makes sure memo holds every one of keys: the missing ones are
// read with load, in one call, and kept (a key load leaves out is kept as
// its zero value). It is the per-user memo of the rules the dispatcher
// reads on every dispatch (quiet hours, escalation); callers hold their
// memo's lock.
func Memoise[V any](ctx context.Context, memo map[string]V, keys []string, load func(ctx context.Context, missing []string) (map[string]V, error)) error {
	var missing []string
	for _, k := range keys {
		if _, ok := memo[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	loaded, err := load(ctx, missing)
	if err != nil {
		return err
	}
	for _, k := range missing {
		memo[k] = loaded[k]
	}
	return nil
}
