package payretailers

import (
	"net/http"
	"strings"

	"github.com/pasarela/pasarela/checkout"
)

// MethodImage serves GET /static/methods/{file}: the image URL that
// payment/methods answers for each method. Each family shares one of the
// checkout's icons, so the answer is a redirect to its content-hashed URL.
func MethodImage(w http.ResponseWriter, r *http.Request) {
	code, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	m, known := LookupMethod(code)
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	icon := map[Family]string{FamilyCard: "card.svg", FamilyBank: "bank.svg", FamilyCash: "cash.svg"}[m.Family]
	target, ok := checkout.AssetURL(icon)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.Redirect(w, r, target, http.StatusFound)
}
