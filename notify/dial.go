package notify

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// Outbound safety. Merchants choose where notifications go, so without
// these checks a merchant could make the gateway call its own admin
// endpoints, the database, or a cloud metadata service (169.254.169.254).

// ErrRefusedDestination is wrapped by every error that refuses a destination
// address; test with errors.Is.
var ErrRefusedDestination = errors.New("destination refused")

// maxURLLength bounds what a merchant may configure; longer URLs are either
// mistakes or attempts to smuggle data.
const maxURLLength = 2048

// blockedPrefixes are ranges no production notification may reach, beyond
// what netip.Addr's predicates already cover (loopback, RFC 1918 and
// fc00::/7, link-local, multicast, unspecified).
var blockedPrefixes = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" address"}, // Linux connects 0.x to the host itself
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking address"}, // often used for internal networks
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address"},       // includes 255.255.255.255
	{netip.MustParsePrefix("100::/64"), "discard-only address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64 address"},
	{netip.MustParsePrefix("fec0::/10"), "site-local address"},
}

// Ranges that embed an IPv4 address a gateway would translate to: the
// embedded address is checked too, so 64:ff9b::a00:1 cannot reach 10.0.0.1.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// refusedReason says why addr may not be reached when private destinations
// are not allowed, or "" when it may.
func refusedReason(addr netip.Addr) string {
	addr = addr.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	switch {
	case !addr.IsValid():
		return "invalid address"
	case addr.IsLoopback():
		return "loopback address"
	case addr.IsPrivate():
		return "private address"
	case addr.IsLinkLocalUnicast():
		return "link-local address" // includes 169.254.169.254, cloud metadata
	case addr.IsUnspecified():
		return "unspecified address"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "multicast address"
	}
	for _, b := range blockedPrefixes {
		if b.prefix.Contains(addr) {
			return b.why
		}
	}
	if addr.Is6() && (nat64Prefix.Contains(addr) || sixToFour.Contains(addr)) {
		b := addr.As16()
		var v4 netip.Addr
		if nat64Prefix.Contains(addr) {
			v4 = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		} else {
			v4 = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
		if why := refusedReason(v4); why != "" {
			return why + " embedded in IPv6"
		}
	}
	return ""
}

// dialControl returns a net.Dialer.Control function that refuses connections
// to non-public addresses. It runs on the IP actually being connected to,
// after DNS resolution, so a hostname that resolves to a public address when
// saved and to 127.0.0.1 when used (DNS rebinding) is still refused, and so
// is every address of a multi-address answer.
func dialControl(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrRefusedDestination, err)
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%w: %q is not an IP address", ErrRefusedDestination, host)
		}
		if why := refusedReason(addr); why != "" {
			return fmt.Errorf("%w: %s is a %s (only allowed in sandbox mode)", ErrRefusedDestination, addr.WithZone(""), why)
		}
		return nil
	}
}

// parseURL checks what must hold for any notification URL, in sandbox and
// production alike, before any I/O: an absolute http or https URL with a
// host and a valid port.
func parseURL(raw string) (*url.URL, error) {
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("URL longer than %d bytes", maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, which may hold a password: keep only
		// the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL scheme must be http or https, not %q", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, errors.New("URL must be absolute, as in https://host/path")
	}
	if u.Hostname() == "" {
		return nil, errors.New("URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("URL port %q is not 1-65535", p)
		}
	}
	return u, nil
}

// ValidateURL checks a notification URL when a merchant saves it, so that
// mistakes are reported then rather than as failed deliveries. It resolves
// no names: that would be stale by delivery time anyway. The check that
// cannot be bypassed runs when the connection is made (see [Config]); this
// one refuses what is visibly internal without allowPrivate: IP literals in
// non-public ranges, localhost, single-label names (resolved through search
// domains, so usually internal), .local, .internal and numeric host forms
// that some resolvers read as IPv4 (such as 2130706433 for 127.0.0.1).
func ValidateURL(raw string, allowPrivate bool) error {
	u, err := parseURL(raw)
	if err != nil {
		return err
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if addr, err := netip.ParseAddr(host); err == nil {
		if why := refusedReason(addr); why != "" {
			return fmt.Errorf("%w: %s is a %s (only allowed in sandbox mode)", ErrRefusedDestination, addr.WithZone(""), why)
		}
		return nil
	}
	host = strings.TrimSuffix(host, ".")
	labels := strings.Split(host, ".")
	last := labels[len(labels)-1]
	switch {
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return fmt.Errorf("%w: %s is this machine (only allowed in sandbox mode)", ErrRefusedDestination, host)
	case last == "local" || last == "internal":
		return fmt.Errorf("%w: %s is a local network name (only allowed in sandbox mode)", ErrRefusedDestination, host)
	case len(labels) < 2:
		return fmt.Errorf("%w: %q is not a fully qualified domain name", ErrRefusedDestination, host)
	case numericLabel(last):
		return fmt.Errorf("%w: %q is a numeric host that is not a plain IP address", ErrRefusedDestination, host)
	}
	return nil
}

// numericLabel reports whether s is all digits or a 0x hex number: no
// top-level domain looks like that, but inet_aton-style resolvers turn such
// hosts (0x7f.1, 017700000001) into IPv4 addresses.
func numericLabel(s string) bool {
	if s == "" {
		return false
	}
	if t := strings.TrimPrefix(s, "0x"); t != s {
		s = t
		if s == "" {
			return true
		}
		for _, c := range s {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
