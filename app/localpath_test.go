package app

import "testing"

func TestLocalPath(t *testing.T) {
	for s, want := range map[string]bool{
		"/":                     true,
		"/notifications":        true,
		"/notifications?x=1#a":  true,
		"/channels/abc/":        true,
		"/a%20b":                true,
		"/%E2%9C%93":            true,
		"/tokens?next=//x":      true, // a query is not an authority
		"":                      false,
		"notifications":         false,
		"./x":                   false,
		"//evil.example":        false,
		"//evil.example/x":      false,
		"///evil.example":       false,
		"/\\evil.example":       false,
		"\\\\evil.example":      false,
		"/a\\b":                 false,
		"/\t/evil.example":      false,
		"/\n/evil.example":      false,
		"/\r/evil.example":      false,
		"/x\x00":                false,
		"/x\x7f":                false,
		"/%09/evil.example":     false, // decoded: "/\t/evil.example"
		"/%2F/evil.example":     false, // decoded: "//evil.example"
		"/%2f/evil.example":     false,
		"/%5Cevil.example":      false, // decoded: "/\evil.example"
		"/%0d%0aSet-Cookie:x=1": false,
		"/%zz":                  false, // not a valid escape
		"https://evil.example/": false,
		"http:/evil.example":    false,
		"javascript:alert(1)":   false,
		" /notifications":       false,
		"\t//evil.example":      false,
	} {
		if got := LocalPath(s); got != want {
			t.Errorf("LocalPath(%q) = %v, want %v", s, got, want)
		}
	}
}
