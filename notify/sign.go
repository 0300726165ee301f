package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Standard Webhooks (https://www.standardwebhooks.com) signing. It is a few
// lines of HMAC, written here rather than imported so the production binary
// needs no extra dependency and so the tests, which verify with the
// reference library, check an independent implementation against it.

// webhookSecretPrefix marks a Standard Webhooks secret; the rest is base64.
const webhookSecretPrefix = "whsec_"

// errWebhookSecret is deliberately vague: the message ends up in the attempt
// log and must say nothing about the secret's content.
var errWebhookSecret = errors.New("webhook secret is not whsec_ followed by base64")

// webhookKey returns the HMAC key of a "whsec_<base64>" secret. The prefix is
// optional, as in the reference libraries.
func webhookKey(secret []byte) ([]byte, error) {
	s := strings.TrimPrefix(string(secret), webhookSecretPrefix)
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, errWebhookSecret
	}
	return key, nil
}

// signature returns the webhook-signature header value for one attempt:
// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
func signature(key []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, timestamp, 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
