package payretailers

import (
	"errors"
	"html/template"
	"strconv"
	"strings"
)

// The voucher's barcode is Interleaved 2 of 5 (ITF), the symbology of
// Brazilian boletos and of most Latin American cash-payment slips: digits
// only, an even count, each pair drawn as five bars (first digit) woven
// with five spaces (second digit), two of each five wide.
//
// It is drawn on the server as inline SVG (one path, no style attribute,
// no script), so it needs neither JavaScript nor an image route, prints
// sharp at any size and passes the pages' CSP.

// itfPatterns are the widths of each digit's five elements: true = wide.
var itfPatterns = [10][5]bool{
	{false, false, true, true, false}, // 0
	{true, false, false, false, true}, // 1
	{false, true, false, false, true}, // 2
	{true, true, false, false, false}, // 3
	{false, false, true, false, true}, // 4
	{true, false, true, false, false}, // 5
	{false, true, true, false, false}, // 6
	{false, false, false, true, true}, // 7
	{true, false, false, true, false}, // 8
	{false, true, false, true, false}, // 9
}

// Geometry in modules (the narrow width). A 3:1 wide-to-narrow ratio is
// within the standard's 2:1 to 3:1 and the easiest to read; the quiet
// zone of 10 modules on each side is the standard's minimum.
const (
	itfNarrow = 1
	itfWide   = 3
	itfQuiet  = 10
	itfHeight = 40
)

// itfWidths returns the element widths of digits, alternating bar and
// space and starting with a bar: start pattern, the interleaved pairs,
// stop pattern.
func itfWidths(digits string) ([]int, error) {
	if digits == "" || len(digits)%2 != 0 || !allDigits(digits) {
		return nil, errors.New("barcode: ITF needs an even number of digits")
	}
	w := func(wide bool) int {
		if wide {
			return itfWide
		}
		return itfNarrow
	}
	out := []int{itfNarrow, itfNarrow, itfNarrow, itfNarrow} // start: bar space bar space
	for i := 0; i < len(digits); i += 2 {
		bars, spaces := itfPatterns[digits[i]-'0'], itfPatterns[digits[i+1]-'0']
		for k := range 5 {
			out = append(out, w(bars[k]), w(spaces[k]))
		}
	}
	return append(out, itfWide, itfNarrow, itfNarrow), nil // stop: wide bar, space, bar
}

// barcodeSVG draws digits as an ITF barcode. The SVG stretches to the
// width of its box (preserveAspectRatio none keeps every module the same
// width) and is hidden from screen readers: the page prints the digits
// beneath it.
func barcodeSVG(digits string) (template.HTML, error) {
	widths, err := itfWidths(digits)
	if err != nil {
		return "", err
	}
	var path strings.Builder
	x := itfQuiet
	for i, width := range widths {
		if i%2 == 0 { // even elements are bars
			path.WriteString("M" + strconv.Itoa(x) + " 0h" + strconv.Itoa(width) + "v" + strconv.Itoa(itfHeight) + "h-" + strconv.Itoa(width) + "z")
		}
		x += width
	}
	total := strconv.Itoa(x + itfQuiet)
	// Only digits and numbers computed here reach the markup: safe as HTML.
	return template.HTML(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + total + ` ` + strconv.Itoa(itfHeight) +
		`" width="100%" height="72" preserveAspectRatio="none" shape-rendering="crispEdges" aria-hidden="true" focusable="false">` +
		`<rect width="` + total + `" height="` + strconv.Itoa(itfHeight) + `" fill="#fff"/>` +
		`<path fill="#000" d="` + path.String() + `"/></svg>`), nil
}
