package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pasarela/pasarela/gateway"
	"github.com/pasarela/pasarela/payment"
)

func newPaymentCmd(cfg *gateway.Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "payment",
		Short: "Inspect payments and their history",
	}
	cmd.AddCommand(newPaymentListCmd(cfg), newPaymentShowCmd(cfg))
	return cmd
}

// paymentView is what operators see of a payment: no sealed secrets.
type paymentView struct {
	Amount       int64           `json:"amount"`
	AttemptRef   string          `json:"attempt_ref,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	Currency     string          `json:"currency"`
	Dialect      payment.Dialect `json:"dialect"`
	Events       []eventView     `json:"events,omitempty"`
	ExpiresAt    time.Time       `json:"expires_at"`
	ID           string          `json:"id"`
	MerchantID   string          `json:"merchant_id"`
	Method       string          `json:"method,omitempty"`
	OrderID      string          `json:"order_id,omitempty"`
	Ref          string          `json:"ref"`
	Status       payment.Status  `json:"status"`
	StatusDetail string          `json:"status_detail,omitempty"`
}

type eventView struct {
	Actor  string         `json:"actor"`
	At     time.Time      `json:"at"`
	Detail string         `json:"detail,omitempty"`
	From   payment.Status `json:"from,omitempty"`
	To     payment.Status `json:"to"`
	Type   string         `json:"type"`
}

func viewPayment(p payment.Payment) paymentView {
	return paymentView{Amount: p.Amount.Amount, AttemptRef: p.AttemptRef, CreatedAt: p.CreatedAt, Currency: p.Amount.Currency,
		Dialect: p.Dialect, ExpiresAt: p.ExpiresAt, ID: p.ID, MerchantID: p.MerchantID, Method: p.Method,
		OrderID: p.OrderID, Ref: p.Ref, Status: p.Status, StatusDetail: p.StatusDetail}
}

func newPaymentListCmd(cfg *gateway.Config) *cobra.Command {
	var f payment.Filter
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List payments, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.Status = payment.Status(status)
			if status != "" && !f.Status.Valid() {
				return fmt.Errorf("--status %q is not a payment status", status)
			}
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				ps, err := g.Payments.List(cmd.Context(), f)
				if err != nil {
					return err
				}
				return printViews(cmd.OutOrStdout(), ps, viewPayment, asJSON, printPayments)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.MerchantID, "merchant", "", "only this merchant's payments")
	fl.StringVar(&f.OrderID, "order", "", "only payments for this merchant order id")
	fl.StringVar(&status, "status", "", "only payments in this status")
	fl.IntVar(&f.Limit, "limit", 100, "at most this many payments (max 1000)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newPaymentShowCmd(cfg *gateway.Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID|REF",
		Short: "Show a payment and its event history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withGateway(cmd.Context(), *cfg, cmd.ErrOrStderr(), func(g *gateway.Gateway) error {
				p, err := g.Payments.Get(cmd.Context(), args[0])
				if errors.Is(err, payment.ErrNotFound) {
					p, err = g.Payments.GetByRef(cmd.Context(), args[0])
				}
				if err != nil {
					return fmt.Errorf("payment %s: %w", args[0], err)
				}
				events, err := g.Payments.Events(cmd.Context(), p.ID)
				if err != nil {
					return err
				}
				v := viewPayment(p)
				for _, e := range events {
					v.Events = append(v.Events, eventView{Actor: e.Actor, At: e.CreatedAt, Detail: e.Detail, From: e.From, To: e.To, Type: e.Type})
				}
				if asJSON {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(v)
				}
				if err := printPayments(cmd.OutOrStdout(), []paymentView{v}); err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "\nAT\tEVENT\tFROM\tTO\tACTOR\tDETAIL")
				for _, e := range v.Events {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339Nano), e.Type, e.From, e.To, e.Actor, e.Detail)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printPayments(w io.Writer, views []paymentView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDIALECT\tMERCHANT\tORDER\tAMOUNT\tSTATUS\tCREATED")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d %s\t%s\t%s\n", v.ID, v.Dialect, v.MerchantID, v.OrderID, v.Amount, v.Currency,
			v.Status, v.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}
