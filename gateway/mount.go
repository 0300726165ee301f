package gateway

import (
	"github.com/pasarela/pasarela/dashboard"
	"github.com/pasarela/pasarela/server"
)

// mount adds the dialects, payer pages, admin API and sandbox helpers to s.
func (g *Gateway) mount(s *server.Server) {
	dashboard.NewAdmin(g.Store, g.Merchants, g.Config.AdminToken, g.Log).Mount(s)
}
