package payretailers

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodeITF reads digits back from element widths, as a scanner does:
// check the start and stop patterns, then each group of ten elements
// holds two digits, the bars one and the spaces the other.
func decodeITF(t *testing.T, widths []int) string {
	t.Helper()
	require.GreaterOrEqual(t, len(widths), 7)
	require.Equal(t, []int{1, 1, 1, 1}, widths[:4], "start pattern")
	require.Equal(t, []int{3, 1, 1}, widths[len(widths)-3:], "stop pattern")
	body := widths[4 : len(widths)-3]
	require.Zero(t, len(body)%10)
	digit := func(ws []int) byte {
		for d, pattern := range itfPatterns {
			match := true
			for k, wide := range pattern {
				if (ws[k] == itfWide) != wide {
					match = false
				}
			}
			if match {
				return byte('0' + d)
			}
		}
		t.Fatalf("no digit has widths %v", ws)
		return 0
	}
	var out strings.Builder
	for i := 0; i < len(body); i += 10 {
		var bars, spaces []int
		for k := range 5 {
			bars = append(bars, body[i+2*k])
			spaces = append(spaces, body[i+2*k+1])
		}
		out.WriteByte(digit(bars))
		out.WriteByte(digit(spaces))
	}
	return out.String()
}

func TestITFPatterns(t *testing.T) {
	t.Parallel()
	// Every digit has exactly two wide elements, and no two digits share
	// a pattern (else a scanner could not tell them apart).
	seen := map[[5]bool]int{}
	for d, p := range itfPatterns {
		wide := 0
		for _, w := range p {
			if w {
				wide++
			}
		}
		require.Equal(t, 2, wide, "digit %d", d)
		prev, dup := seen[p]
		require.False(t, dup, "digits %d and %d share a pattern", prev, d)
		seen[p] = d
	}
}

func TestBarcodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, digits := range []string{"00", "0123456789", "98765432109876543210", "12"} {
		widths, err := itfWidths(digits)
		require.NoError(t, err)
		require.Equal(t, digits, decodeITF(t, widths), digits)
	}
	for _, bad := range []string{"", "1", "123", "12a4", "１２"} {
		_, err := itfWidths(bad)
		require.Error(t, err, bad)
		_, err = barcodeSVG(bad)
		require.Error(t, err, bad)
	}
}

// TestBarcodeSVG reads the bars back out of the drawn SVG path.
func TestBarcodeSVG(t *testing.T) {
	t.Parallel()
	const digits = "48213377650099218845"
	svg, err := barcodeSVG(digits)
	require.NoError(t, err)
	s := string(svg)
	require.True(t, strings.HasPrefix(s, "<svg "))
	require.NotContains(t, s, "style", "the CSP forbids inline style")
	require.Contains(t, s, `aria-hidden="true"`, "the page prints the digits for people")

	d := regexp.MustCompile(` d="([^"]+)"`).FindStringSubmatch(s)
	require.NotNil(t, d)
	bar := regexp.MustCompile(`M(\d+) 0h(\d+)v40h-(\d+)z`)
	var widths []int
	end := itfQuiet
	for _, m := range bar.FindAllStringSubmatch(d[1], -1) {
		x, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		if len(widths) > 0 {
			widths = append(widths, x-end) // the space before this bar
		} else {
			require.Equal(t, itfQuiet, x, "quiet zone before the first bar")
		}
		widths = append(widths, w)
		end = x + w
	}
	require.Equal(t, digits, decodeITF(t, widths))
	total := regexp.MustCompile(`viewBox="0 0 (\d+) 40"`).FindStringSubmatch(s)
	require.NotNil(t, total)
	require.Equal(t, strconv.Itoa(end+itfQuiet), total[1], "quiet zone after the last bar")
}

func TestParseExpiry(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]int{
		"12/30": {12, 2030}, "1/30": {1, 2030}, "01 / 2031": {1, 2031}, "0732": {7, 2032}, " 09/29 ": {9, 2029},
	} {
		m, y, ok := parseExpiry(in)
		require.True(t, ok, in)
		require.Equal(t, want, [2]int{m, y}, in)
	}
	for _, in := range []string{"", "13/30", "00/30", "12/3", "12-30", "ab/cd", "12/30/1", "123", "12/2101"} {
		_, _, ok := parseExpiry(in)
		require.False(t, ok, in)
	}
}
