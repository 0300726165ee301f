package transfer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pasarela/pasarela/merchant"
	"github.com/pasarela/pasarela/notify"
	"github.com/pasarela/pasarela/payment"
	"github.com/pasarela/pasarela/vault"
)

// The file format. One JSON object per line: first a header, then one line
// per row with the table as its only key ({"payment": {…}}), then a
// trailer ({"end": counts}). Fields are spelled out below rather than taken
// from the domain types, so a renamed Go field never changes the format;
// times are Unix milliseconds, as both engines store them, so they survive
// the trip exactly; blobs are base64.
const (
	// FormatName is the header's "format".
	FormatName = "pasarela-export"
	// FormatVersion is the header's "version"; a reader refuses others.
	FormatVersion = 1
)

// Header is the first line of an export.
type Header struct {
	CreatedAt time.Time `json:"created_at"`
	// Engine is where the data came from: "sqlite" or "postgres".
	Engine  string `json:"engine"`
	Format  string `json:"format"`
	Version int    `json:"version"`
}

type line struct {
	Attempt      *attemptRow      `json:"attempt,omitempty"`
	Card         *cardRow         `json:"card,omitempty"`
	End          *Counts          `json:"end,omitempty"`
	Event        *eventRow        `json:"event,omitempty"`
	Keyset       *keysetRow       `json:"keyset,omitempty"`
	Merchant     *merchantRow     `json:"merchant,omitempty"`
	Notification *notificationRow `json:"notification,omitempty"`
	Payment      *paymentRow      `json:"payment,omitempty"`
}

type keysetRow struct {
	CreatedAt int64  `json:"created_at"`
	Name      string `json:"name"`
	Wrapped   []byte `json:"wrapped"`
}

type merchantRow struct {
	CancelURL           string `json:"cancel_url"`
	CreatedAt           int64  `json:"created_at"`
	ETpayCode           string `json:"etpay_code"`
	ETpayTokenHash      []byte `json:"etpay_token_hash"`
	ID                  string `json:"id"`
	LegacyIPN           bool   `json:"legacy_ipn"`
	Name                string `json:"name"`
	NotificationURL     string `json:"notification_url"`
	Sandbox             bool   `json:"sandbox"`
	SealedSecretKey     []byte `json:"sealed_secret_key"`
	SealedWebhookSecret []byte `json:"sealed_webhook_secret"`
	ServiceID           string `json:"service_id"`
	SuccessURL          string `json:"success_url"`
	UpdatedAt           int64  `json:"updated_at"`
}

// cardRow is a vault_cards row. The blobs have no omitempty: a tombstone's
// NULLs travel as null and come back nil, while an empty blob would travel
// as "" and come back empty.
type cardRow struct {
	Brand         string `json:"brand"`
	CreatedAt     int64  `json:"created_at"`
	CustomerEmail string `json:"customer_email"`
	DeletedAt     *int64 `json:"deleted_at"`
	Fingerprint   []byte `json:"fingerprint"`
	ID            string `json:"id"`
	Masked        string `json:"masked"`
	MerchantID    string `json:"merchant_id"`
	Sealed        []byte `json:"sealed"`
	WrappedKey    []byte `json:"wrapped_key"`
}

type paymentRow struct {
	Amount       int64              `json:"amount"`
	AttemptRef   string             `json:"attempt_ref,omitempty"`
	CompletedAt  *int64             `json:"completed_at,omitempty"`
	Country      string             `json:"country"`
	CreatedAt    int64              `json:"created_at"`
	Currency     string             `json:"currency"`
	Description  string             `json:"description"`
	Dialect      string             `json:"dialect"`
	ExpiresAt    int64              `json:"expires_at"`
	Extra        map[string]string  `json:"extra"`
	ID           string             `json:"id"`
	MerchantID   string             `json:"merchant_id"`
	Metadata     []payment.Metadata `json:"metadata"`
	Method       string             `json:"method"`
	OrderID      string             `json:"order_id"`
	Payer        payment.Payer      `json:"payer"`
	Ref          string             `json:"ref"`
	SealedSecret []byte             `json:"sealed_secret,omitempty"`
	Status       string             `json:"status"`
	StatusDetail string             `json:"status_detail"`
	UpdatedAt    int64              `json:"updated_at"`
	URLs         payment.URLs       `json:"urls"`
	Version      int64              `json:"version"`
}

type eventRow struct {
	Actor     string `json:"actor"`
	CreatedAt int64  `json:"created_at"`
	Detail    string `json:"detail"`
	From      string `json:"from"`
	ID        int64  `json:"id"`
	PaymentID string `json:"payment_id"`
	To        string `json:"to"`
	Type      string `json:"type"`
}

type notificationRow struct {
	Attempts       int               `json:"attempts"`
	Body           []byte            `json:"body"`
	ContentType    string            `json:"content_type"`
	CreatedAt      int64             `json:"created_at"`
	DeliveredAt    *int64            `json:"delivered_at,omitempty"`
	Headers        map[string]string `json:"headers"`
	ID             string            `json:"id"`
	LastError      string            `json:"last_error"`
	LastStatusCode int               `json:"last_status_code"`
	MerchantID     string            `json:"merchant_id"`
	Method         string            `json:"method"`
	NextAttemptAt  *int64            `json:"next_attempt_at,omitempty"`
	PaymentID      string            `json:"payment_id"`
	Status         string            `json:"status"`
	UpdatedAt      int64             `json:"updated_at"`
	URL            string            `json:"url"`
}

type attemptRow struct {
	At             int64  `json:"at"`
	Error          string `json:"error"`
	LatencyUS      int64  `json:"latency_us"`
	NotificationID string `json:"notification_id"`
	Number         int    `json:"number"`
	ResponseBody   string `json:"response_body"`
	StatusCode     int    `json:"status_code"`
	URL            string `json:"url"`
}

// Writer writes an export. Call Close to write the trailer: without it the
// file is refused on import.
type Writer struct {
	buf    *bufio.Writer
	counts Counts
	enc    *json.Encoder
}

// NewWriter writes the header for an export from engine to w.
func NewWriter(w io.Writer, engine string) (*Writer, error) {
	buf := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(buf)
	if err := enc.Encode(Header{CreatedAt: time.Now().UTC(), Engine: engine, Format: FormatName, Version: FormatVersion}); err != nil {
		return nil, err
	}
	return &Writer{buf: buf, enc: enc}, nil
}

// Write appends one row.
func (w *Writer) Write(it Item) error {
	l, err := encodeItem(it)
	if err != nil {
		return err
	}
	if err := w.enc.Encode(l); err != nil {
		return err
	}
	w.counts.Add(it)
	return nil
}

// Counts are the rows written so far.
func (w *Writer) Counts() Counts { return w.counts }

// Close writes the trailer and flushes; it does not close the underlying
// writer.
func (w *Writer) Close() error {
	c := w.counts
	if err := w.enc.Encode(line{End: &c}); err != nil {
		return err
	}
	return w.buf.Flush()
}

// Reader reads an export written by Writer.
type Reader struct {
	counts Counts
	dec    *json.Decoder
	done   bool
	header Header
}

// NewReader reads and checks the header.
func NewReader(r io.Reader) (*Reader, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	var h Header
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%w: reading header: %v", ErrFormat, err)
	}
	if h.Format != FormatName {
		return nil, fmt.Errorf("%w: header names format %q", ErrFormat, h.Format)
	}
	if h.Version != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, this pasarela reads version %d", ErrFormat, h.Version, FormatVersion)
	}
	return &Reader{dec: dec, header: h}, nil
}

// Header is the file's header.
func (r *Reader) Header() Header { return r.header }

// Next returns the next row, or io.EOF after the trailer once the rows
// read match the trailer's counts. A file that ends without a trailer is
// an ErrFormat, never a clean io.EOF: a truncated copy must not load.
func (r *Reader) Next() (Item, error) {
	if r.done {
		return Item{}, io.EOF
	}
	var l line
	if err := r.dec.Decode(&l); err != nil {
		if errors.Is(err, io.EOF) {
			return Item{}, fmt.Errorf("%w: the file ends before its trailer (truncated?)", ErrFormat)
		}
		return Item{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if l.End != nil {
		if *l.End != r.counts {
			return Item{}, fmt.Errorf("%w: the trailer counts %+v rows, the file holds %+v", ErrFormat, *l.End, r.counts)
		}
		r.done = true
		return Item{}, io.EOF
	}
	it, err := decodeLine(l)
	if err != nil {
		return Item{}, err
	}
	r.counts.Add(it)
	return it, nil
}

func encodeItem(it Item) (line, error) {
	switch {
	case it.Keyset != nil:
		k := it.Keyset
		return line{Keyset: &keysetRow{CreatedAt: ms(k.CreatedAt), Name: k.Name, Wrapped: k.Wrapped}}, nil
	case it.Merchant != nil:
		m := it.Merchant
		return line{Merchant: &merchantRow{
			CancelURL: m.CancelURL, CreatedAt: ms(m.CreatedAt), ETpayCode: m.ETpayCode, ETpayTokenHash: m.ETpayTokenHash,
			ID: m.ID, LegacyIPN: m.LegacyIPN, Name: m.Name, NotificationURL: m.NotificationURL, Sandbox: m.Sandbox,
			SealedSecretKey: m.SealedSecretKey, SealedWebhookSecret: m.SealedWebhookSecret, ServiceID: m.ServiceID,
			SuccessURL: m.SuccessURL, UpdatedAt: ms(m.UpdatedAt),
		}}, nil
	case it.Card != nil:
		c := it.Card
		var deleted *int64
		if !c.DeletedAt.IsZero() {
			deleted = msPtr(&c.DeletedAt)
		}
		return line{Card: &cardRow{Brand: string(c.Brand), CreatedAt: ms(c.CreatedAt), CustomerEmail: c.CustomerEmail,
			DeletedAt: deleted, Fingerprint: c.Fingerprint, ID: c.ID, Masked: c.Masked, MerchantID: c.MerchantID,
			Sealed: c.Sealed, WrappedKey: c.WrappedKey}}, nil
	case it.Payment != nil:
		p := it.Payment
		return line{Payment: &paymentRow{
			Amount: p.Amount.Amount, AttemptRef: p.AttemptRef, CompletedAt: msPtr(p.CompletedAt), Country: p.Country,
			CreatedAt: ms(p.CreatedAt), Currency: p.Amount.Currency, Description: p.Description, Dialect: string(p.Dialect),
			ExpiresAt: ms(p.ExpiresAt), Extra: p.Extra, ID: p.ID, MerchantID: p.MerchantID, Metadata: p.Metadata,
			Method: p.Method, OrderID: p.OrderID, Payer: p.Payer, Ref: p.Ref, SealedSecret: p.SealedSecret,
			Status: string(p.Status), StatusDetail: p.StatusDetail, UpdatedAt: ms(p.UpdatedAt), URLs: p.URLs, Version: p.Version,
		}}, nil
	case it.Event != nil:
		e := it.Event
		return line{Event: &eventRow{Actor: e.Actor, CreatedAt: ms(e.CreatedAt), Detail: e.Detail, From: string(e.From),
			ID: e.ID, PaymentID: e.PaymentID, To: string(e.To), Type: e.Type}}, nil
	case it.Notification != nil:
		n := it.Notification
		return line{Notification: &notificationRow{
			Attempts: n.Attempts, Body: n.Body, ContentType: n.ContentType, CreatedAt: ms(n.CreatedAt),
			DeliveredAt: msPtr(n.DeliveredAt), Headers: n.Headers, ID: n.ID, LastError: n.LastError,
			LastStatusCode: n.LastStatusCode, MerchantID: n.MerchantID, Method: n.Method, NextAttemptAt: msPtr(n.NextAttemptAt),
			PaymentID: n.PaymentID, Status: string(n.Status), UpdatedAt: ms(n.UpdatedAt), URL: n.URL,
		}}, nil
	case it.Attempt != nil:
		a := it.Attempt
		return line{Attempt: &attemptRow{At: ms(a.At), Error: a.Error, LatencyUS: a.Latency.Microseconds(),
			NotificationID: a.NotificationID, Number: a.Number, ResponseBody: a.ResponseBody, StatusCode: a.StatusCode, URL: a.URL}}, nil
	}
	return line{}, errors.New("transfer: empty item")
}

func decodeLine(l line) (Item, error) {
	set := 0
	var it Item
	if k := l.Keyset; k != nil {
		set++
		it.Keyset = &Keyset{CreatedAt: fromMS(k.CreatedAt), Name: k.Name, Wrapped: k.Wrapped}
	}
	if m := l.Merchant; m != nil {
		set++
		it.Merchant = &merchant.Merchant{
			CancelURL: m.CancelURL, CreatedAt: fromMS(m.CreatedAt), ETpayCode: m.ETpayCode, ETpayTokenHash: m.ETpayTokenHash,
			ID: m.ID, LegacyIPN: m.LegacyIPN, Name: m.Name, NotificationURL: m.NotificationURL, Sandbox: m.Sandbox,
			SealedSecretKey: m.SealedSecretKey, SealedWebhookSecret: m.SealedWebhookSecret, ServiceID: m.ServiceID,
			SuccessURL: m.SuccessURL, UpdatedAt: fromMS(m.UpdatedAt),
		}
	}
	if c := l.Card; c != nil {
		set++
		it.Card = &vault.Record{
			Card: vault.Card{Brand: vault.Brand(c.Brand), CreatedAt: fromMS(c.CreatedAt), CustomerEmail: c.CustomerEmail,
				ID: c.ID, Masked: c.Masked, MerchantID: c.MerchantID},
			Fingerprint: c.Fingerprint, Sealed: c.Sealed, WrappedKey: c.WrappedKey,
		}
		if c.DeletedAt != nil {
			it.Card.DeletedAt = fromMS(*c.DeletedAt)
		}
	}
	if p := l.Payment; p != nil {
		set++
		it.Payment = &payment.Payment{
			Amount: payment.Money{Amount: p.Amount, Currency: p.Currency}, AttemptRef: p.AttemptRef,
			CompletedAt: timePtr(p.CompletedAt), Country: p.Country, CreatedAt: fromMS(p.CreatedAt),
			Description: p.Description, Dialect: payment.Dialect(p.Dialect), ExpiresAt: fromMS(p.ExpiresAt), Extra: p.Extra,
			ID: p.ID, MerchantID: p.MerchantID, Metadata: p.Metadata, Method: p.Method, OrderID: p.OrderID, Payer: p.Payer,
			Ref: p.Ref, SealedSecret: p.SealedSecret, Status: payment.Status(p.Status), StatusDetail: p.StatusDetail,
			UpdatedAt: fromMS(p.UpdatedAt), URLs: p.URLs, Version: p.Version,
		}
	}
	if e := l.Event; e != nil {
		set++
		it.Event = &payment.Event{Actor: e.Actor, CreatedAt: fromMS(e.CreatedAt), Detail: e.Detail, From: payment.Status(e.From),
			ID: e.ID, PaymentID: e.PaymentID, To: payment.Status(e.To), Type: e.Type}
	}
	if n := l.Notification; n != nil {
		set++
		it.Notification = &notify.Record{
			Notification: notify.Notification{
				Body: n.Body, ContentType: n.ContentType, CreatedAt: fromMS(n.CreatedAt), Headers: n.Headers, ID: n.ID,
				MerchantID: n.MerchantID, Method: n.Method, PaymentID: n.PaymentID, URL: n.URL,
			},
			Attempts: n.Attempts, DeliveredAt: timePtr(n.DeliveredAt), LastError: n.LastError,
			LastStatusCode: n.LastStatusCode, NextAttemptAt: timePtr(n.NextAttemptAt), Status: notify.Status(n.Status),
			UpdatedAt: fromMS(n.UpdatedAt),
		}
	}
	if a := l.Attempt; a != nil {
		set++
		it.Attempt = &notify.Attempt{At: fromMS(a.At), Error: a.Error, Latency: time.Duration(a.LatencyUS) * time.Microsecond,
			NotificationID: a.NotificationID, Number: a.Number, ResponseBody: a.ResponseBody, StatusCode: a.StatusCode, URL: a.URL}
	}
	if set != 1 {
		return Item{}, fmt.Errorf("%w: a line holds %d rows, want 1", ErrFormat, set)
	}
	return it, nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := ms(*t)
	return &v
}

func timePtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMS(*v)
	return &t
}
