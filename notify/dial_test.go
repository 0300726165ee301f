package notify

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateURLRefusesInternalDestinations(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://169.254.169.254/latest/meta-data/", // cloud metadata
		"http://10.0.0.1/notify",
		"https://[::1]:8443/notify",
		"http://127.0.0.1:8080/",
		"http://127.1.2.3/",
		"http://0.0.0.0/",
		"http://172.16.5.4/",
		"http://192.168.1.1/",
		"http://100.64.0.1/", // carrier-grade NAT
		"http://[fe80::1]/",
		"http://[fd00::1]/",
		"http://[::]/",
		"http://[::ffff:127.0.0.1]/", // IPv4-mapped loopback
		"http://[::ffff:a9fe:a9fe]/", // IPv4-mapped metadata address
		"http://[64:ff9b::a00:1]/",   // NAT64 of 10.0.0.1
		"http://[2002:7f00:1::1]/",   // 6to4 of 127.0.0.1
		"http://224.0.0.1/",          // multicast
		"http://[ff02::1]/",          // multicast
		"http://255.255.255.255/",    // broadcast
		"http://localhost:8080/",     // this machine, by name
		"http://LOCALHOST./",         // case and trailing dot
		"http://shop.localhost/",     // RFC 6761
		"http://intranet/notify",     // single label: search domains
		"http://printer.local/",      // mDNS
		"http://metadata.google.internal/computeMetadata/v1/",
		"http://2130706433/",   // 127.0.0.1 to inet_aton
		"http://0x7f.1/",       // 127.0.0.1 to inet_aton
		"http://017700000001/", // octal 127.0.0.1
		"http://10.1/",         // inet_aton short form of 10.0.0.1
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, ValidateURL(raw, false), ErrRefusedDestination)
			require.NoError(t, ValidateURL(raw, true), "sandbox allows private destinations")
		})
	}
}

func TestValidateURLRefusesMalformed(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"ftp://shop.example/notify":   "scheme",
		"file:///etc/passwd":          "scheme",
		"javascript:alert(1)":         "scheme",
		"gopher://shop.example/":      "scheme",
		"shop.example/notify":         "scheme",
		"//shop.example/notify":       "scheme",
		"":                            "scheme",
		"http:shop.example":           "absolute",
		"https://":                    "no host",
		"https://:443/x":              "no host",
		"https://shop.example:0/":     "port",
		"https://shop.example:99999/": "port",
		"https://shop.example:80x/":   "invalid URL",
		"https://shop.example/%zz":    "invalid URL",
		"https://shop.example/" + strings.Repeat("a", 3000): "longer than",
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			for _, allowPrivate := range []bool{false, true} {
				require.ErrorContains(t, ValidateURL(raw, allowPrivate), want)
			}
		})
	}
}

func TestValidateURLAccepts(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"https://shop.example/notify",
		"HTTPS://Shop.Example/notify?x=1#frag",
		"http://shop.example:8080/ipn",
		"https://user:pass@shop.example/hook",
		"http://93.184.215.14/notify",
		"https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/notify",
		"https://shop.example./notify",
		"https://123.example/notify", // numeric labels are fine below the TLD
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, ValidateURL(raw, false))
		})
	}
}

func TestValidateURLErrorHidesPassword(t *testing.T) {
	t.Parallel()
	err := ValidateURL("https://user:hunter2@shop.example:bad/", false)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2")
}

func TestDialControl(t *testing.T) {
	t.Parallel()
	refuse := dialControl(false)
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "169.254.169.254:80", "10.0.0.1:80", "[fe80::1%eth0]:80", "100.100.100.100:80", "[::ffff:10.0.0.1]:80"} {
		require.ErrorIs(t, refuse("tcp", addr, nil), ErrRefusedDestination, addr)
	}
	require.ErrorIs(t, refuse("tcp", "not-an-ip:80", nil), ErrRefusedDestination)
	require.ErrorIs(t, refuse("tcp", "garbage", nil), ErrRefusedDestination)
	require.NoError(t, refuse("tcp4", "93.184.215.14:443", nil))
	require.NoError(t, refuse("tcp6", "[2606:4700::1111]:443", nil))
	require.NoError(t, dialControl(true)("tcp", "127.0.0.1:80", nil))
}

func TestRefusedReason(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"127.0.0.1":            "loopback",
		"169.254.169.254":      "link-local",
		"fe80::1":              "link-local",
		"10.0.0.1":             "private",
		"fc00::1":              "private",
		"0.0.0.0":              "unspecified",
		"0.1.2.3":              "this network",
		"100.64.0.1":           "carrier-grade NAT",
		"100.127.255.255":      "carrier-grade NAT",
		"239.1.1.1":            "multicast",
		"64:ff9b::7f00:1":      "loopback address embedded in IPv6",
		"2002:a00:1::":         "private address embedded in IPv6",
		"8.8.8.8":              "",
		"100.128.0.1":          "",
		"64:ff9b::808:808":     "",
		"2001:4860:4860::8888": "",
	} {
		got := refusedReason(netip.MustParseAddr(addr))
		if want == "" {
			require.Empty(t, got, addr)
		} else {
			require.Contains(t, got, want, addr)
		}
	}
	require.NotEmpty(t, refusedReason(netip.Addr{}), "the zero address is refused")
}

func FuzzValidateURL(f *testing.F) {
	for _, seed := range []string{
		"https://shop.example/notify", "http://127.0.0.1/", "http://[::1]/", "http://169.254.169.254/",
		"ftp://x", "http://0x7f.1/", "https://user:pw@h.example:443/p?q#f", "http://[::ffff:10.0.0.1]/", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		strict := ValidateURL(raw, false)
		lax := ValidateURL(raw, true)
		if strict == nil {
			require.NoError(t, lax, "what production accepts, sandbox accepts")
		}
		if lax != nil {
			return
		}
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.Contains(t, []string{"http", "https"}, u.Scheme)
		require.NotEmpty(t, u.Hostname())
		if strict == nil {
			if addr, err := netip.ParseAddr(u.Hostname()); err == nil {
				require.Empty(t, refusedReason(addr), "accepted a refused literal %s", addr)
			}
			require.NotEqual(t, "localhost", strings.TrimSuffix(strings.ToLower(u.Hostname()), "."))
		}
	})
}
