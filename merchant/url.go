package merchant

import (
	"errors"
	"net/url"
)

// ValidateURL accepts absolute http(s) URLs of reasonable length, the only
// kind a merchant may give for redirects and notifications.
func ValidateURL(raw string) error {
	if len(raw) > 2048 {
		return errors.New("URL longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	return nil
}
