package payretailers

import (
	"crypto/hmac"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/pasarela/pasarela/internal/phpjson"
)

// TimeLayout is how the dialect writes times: "2021-01-02 23:11:00", as in
// the seed's payment/status response and WIRE.md's IPN vector. It carries
// no zone; the caller decides the location (t.In) before formatting.
const TimeLayout = "2006-01-02 15:04:05"

// StatusCompleted is the wire status of a paid payment; the legacy IPN is
// sent for nothing else.
const StatusCompleted = "completed"

// Notification is what an IPN tells the merchant about one payment. Amount
// is in minor units of Currency; times are written in their own location
// with TimeLayout, a zero CompletedAt as "".
type Notification struct {
	Amount        int64
	CompletedAt   time.Time
	Country       string
	CreatedAt     time.Time
	Currency      string
	Custom        string
	Method        string
	ServiceID     string
	Status        string
	TransactionID string
}

// Fields returns the notification as the IPN's wire fields. Every key is
// always present, so merchants can index them without checks; every value
// is a string because the merchant re-encodes what it decoded and a number
// would not survive PHP's float formatting.
func (n Notification) Fields() (map[string]string, error) {
	price, err := FormatPrice(n.Amount, n.Currency)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"completed_at":   formatTime(n.CompletedAt),
		"country":        n.Country,
		"created_at":     formatTime(n.CreatedAt),
		"currency":       n.Currency,
		"custom":         n.Custom,
		"method":         n.Method,
		"price":          price,
		"service_id":     n.ServiceID,
		"status":         n.Status,
		"transaction_id": n.TransactionID,
	}, nil
}

// IPN is a rendered notification: POST Body as application/json with the
// header HeaderNotificationSignature set to Signature.
type IPN struct {
	Body      []byte
	Signature string
}

// Headers returns the IPN's headers with names exactly as they must be
// sent (see HeaderNotificationSignature).
func (i IPN) Headers() map[string]string {
	return map[string]string{
		"Content-Type":              "application/json",
		HeaderNotificationSignature: i.Signature,
	}
}

// BuildIPN renders n as the PHP-stable body the merchant's SDK reproduces
// (phpjson.Encode) and signs it with the merchant's secret.
func BuildIPN(secret []byte, n Notification) (IPN, error) {
	fields, err := n.Fields()
	if err != nil {
		return IPN{}, err
	}
	body, err := phpjson.Encode(fields)
	if err != nil {
		return IPN{}, err
	}
	return IPN{Body: body, Signature: Sign(secret, body)}, nil
}

// ErrLegacyNotCompleted refuses a legacy IPN for an unpaid payment. The v1
// format has no status field and plugins built for it (Paygol for
// WooCommerce) mark the order paid on any IPN whose key and price match, so
// sending one for a failed payment would ship unpaid goods.
var ErrLegacyNotCompleted = errors.New("legacy v1 IPN is only sent for completed payments")

// LegacyIPNQuery renders the v1 notification, a GET whose query carries
// transaction_id, service_id, country, custom, price, currency, frmprice,
// frmcurrency and key. key is the merchant's secret itself: anyone who
// sees the URL (proxies, access logs) learns it, which is why the format is
// off unless a merchant opts in. pasarela does no currency conversion, so
// frmprice/frmcurrency (what was asked) equal price/currency (what was
// paid).
func LegacyIPNQuery(secret string, n Notification) (url.Values, error) {
	if n.Status != StatusCompleted {
		return nil, ErrLegacyNotCompleted
	}
	price, err := FormatPrice(n.Amount, n.Currency)
	if err != nil {
		return nil, err
	}
	return url.Values{
		"country":        {n.Country},
		"currency":       {n.Currency},
		"custom":         {n.Custom},
		"frmcurrency":    {n.Currency},
		"frmprice":       {price},
		"key":            {secret},
		"price":          {price},
		"service_id":     {n.ServiceID},
		"transaction_id": {n.TransactionID},
	}, nil
}

// LegacyIPNURL appends LegacyIPNQuery to the merchant's notification URL,
// keeping any query it already has (plugins route on it, such as
// WooCommerce's ?wc-api=WC_Paygol_Gateway).
func LegacyIPNURL(notificationURL, secret string, n Notification) (string, error) {
	q, err := LegacyIPNQuery(secret, n)
	if err != nil {
		return "", err
	}
	return appendQuery(notificationURL, q.Encode())
}

// VerifyLegacyKey is the v1 merchant check, in constant time: key equals
// the secret.
func VerifyLegacyKey(secret, key string) bool {
	return secret != "" && hmac.Equal([]byte(secret), []byte(key))
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(TimeLayout)
}

// appendQuery adds an encoded query to rawURL after any query it has,
// before any fragment. Appending (rather than re-encoding the merged
// values) keeps the merchant's own parameters byte for byte, and PHP's
// $_GET keeps the last of repeated names, so ours win.
func appendQuery(rawURL, query string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if u.RawQuery == "" {
		u.RawQuery = query
	} else {
		u.RawQuery = strings.TrimSuffix(u.RawQuery, "&") + "&" + query
	}
	u.ForceQuery = false
	return u.String(), nil
}
