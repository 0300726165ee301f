package checkout

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetPrefix is the path the asset handler is mounted at:
//
//	mux.Handle("GET "+checkout.AssetPrefix, checkout.SecureHeaders(checkout.Assets()))
const AssetPrefix = "/assets/"

//go:embed assets
var assetFiles embed.FS

type asset struct {
	body  []byte
	ctype string
	hash  string // first 12 hex digits of the SHA-256 of body
}

// assets are read once: they are small and embedded, and hashing them at
// start-up gives every build its own URLs.
var assets = func() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(assetFiles, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out[path.Base(p)] = asset{body: body, ctype: ctype, hash: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		panic("checkout: reading embedded assets: " + err.Error()) // the binary itself is broken
	}
	return out
}()

// AssetURL returns the URL of an embedded asset ("checkout.css",
// "lock.svg") with its content hash in the name
// ("/assets/checkout.1a2b3c4d5e6f.css"), so it can be cached for a year
// and a new build is fetched at once. Templates call it as {{asset "name"}}.
func AssetURL(name string) (string, bool) {
	a, ok := assets[name]
	if !ok {
		return "", false
	}
	ext := path.Ext(name)
	return AssetPrefix + strings.TrimSuffix(name, ext) + "." + a.hash + ext, true
}

// FaviconPath is where browsers ask for an icon on their own, whatever
// icon the page declares.
const FaviconPath = "/favicon.ico"

// Favicon serves the lock icon at FaviconPath (SVG, which browsers accept
// there), so a browser's own request is not a 404 in the payer's console
// and the access log.
func Favicon() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := assets["lock.svg"]
		w.Header().Set("Content-Type", a.ctype)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeContent(w, r, "favicon.svg", time.Time{}, bytes.NewReader(a.body))
	})
}

// Assets serves the embedded stylesheet and icons under AssetPrefix.
//
// A URL with the current hash is immutable and cached for a year. A URL
// with another hash (a page rendered by an older or newer node during a
// rolling deploy) still gets the current file, so the page is not left
// unstyled, but with no-cache: that file must never be stored under a name
// that promises other content. The bare name ("/assets/checkout.css") is
// served the same way, for people.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := path.Base(r.URL.Path)
		name, hash := file, ""
		ext := path.Ext(file)
		if stem := strings.TrimSuffix(file, ext); strings.Contains(stem, ".") {
			i := strings.LastIndexByte(stem, '.')
			name, hash = stem[:i]+ext, stem[i+1:]
		}
		a, ok := assets[name]
		if !ok || !strings.HasPrefix(r.URL.Path, AssetPrefix) {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", `"`+a.hash+`"`)
		if hash == a.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
	})
}
