package cli

// capabilities are wired after the JSON API, in order: each registers its
// routes on s.Engine, starts its goroutines with s.Go and adds its shutdown
// work with s.OnClose.
var capabilities = []capability{}
