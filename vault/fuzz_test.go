package vault_test

import (
	"strings"
	"testing"

	"github.com/pasarela/pasarela/vault"
)

// FuzzMask checks what masking promises for any input: no more than the
// first six and last four digits ever show, the rest are X, and the length
// is the number's; and that NormalizePAN agrees with it and never echoes
// its input in an error.
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"4242424242424242", "4242 4242 4242 4242", "5555-5555-5555-4444", "378282246310005",
		"30569309025904", "501800000009", "4111111111111111111", "", "x", "4242424242424241",
		"42424242424242424242", "  --  ", "4242\x004242424242424242",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m := vault.Mask(in)
		var digits []byte
		clean := true
		for i := 0; i < len(in); i++ {
			switch c := in[i]; {
			case c >= '0' && c <= '9':
				digits = append(digits, c)
			case c == ' ' || c == '-':
			default:
				clean = false
			}
		}
		n := len(digits)
		if !clean || n < 12 || n > 19 {
			if m != "" {
				t.Fatalf("Mask(%q) = %q, want empty", in, m)
			}
		} else {
			if len(m) != n {
				t.Fatalf("Mask(%q) = %q: length %d, want %d", in, m, len(m), n)
			}
			shown := 0
			for i := range n {
				if m[i] == 'X' {
					continue
				}
				if (i >= 6 && i < n-4) || m[i] != digits[i] {
					t.Fatalf("Mask(%q) = %q shows position %d", in, m, i)
				}
				shown++
			}
			if shown > 10 || (n < 15 && shown > 4) {
				t.Fatalf("Mask(%q) = %q shows %d digits", in, m, shown)
			}
			if m[n-4:] != string(digits[n-4:]) {
				t.Fatalf("Mask(%q) = %q hides the last four", in, m)
			}
		}

		pan, err := vault.NormalizePAN(in)
		if err != nil {
			if err != vault.ErrInvalidNumber {
				t.Fatalf("NormalizePAN(%q) error %v, want ErrInvalidNumber", in, err)
			}
			return
		}
		if !clean || string(pan) != string(digits) {
			t.Fatalf("NormalizePAN(%q) = %q", in, string(pan))
		}
		if pan.String() != m || strings.Contains(pan.String(), string(pan)) {
			t.Fatalf("PAN %q prints as %q", string(pan), pan.String())
		}
		if vault.BrandOf(pan) == "" {
			t.Fatalf("BrandOf(%q) is empty", string(pan))
		}
	})
}
