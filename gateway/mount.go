package gateway

import "github.com/pasarela/pasarela/server"

// mount adds the dialects, payer pages and sandbox helpers to s.
func (g *Gateway) mount(s *server.Server) {
	_ = s
}
