package webhook

import (
	"net/netip"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestIsPrivate(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.10": true,
		"169.254.169.254": true, "0.0.0.0": true, "100.100.1.1": true, "224.0.0.1": true,
		"::1": true, "fd00::1": true, "fe80::1": true, "::": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true,
		"93.184.216.34": false, "1.1.1.1": false, "2606:4700:4700::1111": false, "172.32.0.1": false,
		// IPv6 forms that embed a private IPv4 address, and the same forms
		// embedding a public one.
		"64:ff9b::7f00:1": true, "64:ff9b::10.0.0.1": true, "64:ff9b:1::808:808": true,
		"2002:7f00:1::": true, "2002:c0a8:101::1": true, "::127.0.0.1": true, "::ffff:0:a00:1": true,
		"2001:0:a00:1::1": true, "2001:0:4136:e378:8000:63bf:3f57:fefe": true,
		"2606:4700::5efe:c0a8:101": true, "2606:4700::200:5efe:a00:1": true,
		"fec0::1": true, "100::1": true, "2001:db8::1": true,
		"64:ff9b::808:808": false, "2002:808:808::1": false, "::8.8.8.8": false,
		"2001:0:4136:e378:8000:63bf:f7f7:f7f7": false, "2606:4700::5efe:808:808": false,
	} {
		if got := isPrivate(netip.MustParseAddr(addr)); got != want {
			t.Errorf("isPrivate(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestRefusePrivate(t *testing.T) {
	if err := refusePrivate("rule")("tcp", "10.0.0.1:80", nil); !isPrivateRefusal(err) {
		t.Fatalf("dial guard let 10.0.0.1 through: %v", err)
	}
	if err := refusePrivate("rule")("tcp", "[::1]:443", nil); !isPrivateRefusal(err) {
		t.Fatalf("dial guard let ::1 through: %v", err)
	}
	if err := refusePrivate("rule")("tcp", "[64:ff9b::a9fe:a9fe]:80", nil); !isPrivateRefusal(err) {
		t.Fatalf("dial guard let a NAT64 form of 169.254.169.254 through: %v", err)
	}
	if err := refusePrivate("rule")("tcp", "93.184.216.34:443", nil); err != nil {
		t.Fatalf("dial guard refused a public address: %v", err)
	}
}

func TestCheckTarget(t *testing.T) {
	ctx := t.Context()
	for _, raw := range []string{
		"http://127.0.0.1/hook", "http://localhost:8080/", "http://LOCALHOST./", "http://app.localhost/",
		"http://10.0.0.5/", "http://[::1]:9000/", "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/",
		"http://[::ffff:192.168.1.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:c0a8:101::1]:8080/",
		"http://[2001:0:4136:e378:8000:63bf:3f57:fefe]/",
	} {
		err := CheckTarget(ctx, raw, "this server does not allow it")
		if app.ErrorKind(err) != app.EINVALID {
			t.Errorf("CheckTarget(%q) = %v, want EINVALID", raw, err)
		}
		if err := CheckTarget(ctx, raw, ""); err != nil {
			t.Errorf("CheckTarget(%q) with private allowed = %v", raw, err)
		}
	}
	for _, raw := range []string{"ftp://1.1.1.1/", "http://", "not a url", "https://u:p@1.1.1.1/", ""} {
		if err := CheckTarget(ctx, raw, ""); app.ErrorKind(err) != app.EINVALID {
			t.Errorf("CheckTarget(%q) = %v, want EINVALID", raw, err)
		}
	}
	if err := CheckTarget(ctx, "https://93.184.216.34/hook", "this server does not allow it"); err != nil {
		t.Errorf("a public address was refused: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://discord.com/api/webhooks/123/abcdefTOKEN":  "https://discord.com/api/webhooks/123/abcd****",
		"https://hooks.slack.com/services/T1/B2/XXXXXXXXXX": "https://hooks.slack.com/services/T1/B2/XXXX****",
		"https://ntfy.sh/mytopic?auth=secret":               "https://ntfy.sh/myto****?auth=redacted",
		"http://192.168.1.5:8080/":                          "http://192.168.1.5:8080/",
		"https://x.example/abc":                             "https://x.example/abc",
		"http://ci.lan:8080/hook?token=s3cret&x=1":          "http://ci.lan:8080/hook?token=redacted&x=redacted",
		"https://example.com/":                              "https://example.com/",
		"::not a url":                                       "",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
