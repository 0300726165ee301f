package notify

// DeliverArgs is the River job that delivers one stored notification. The
// job carries only the id: the body, URL and headers were stored with the
// status change that caused them, so every retry sends the same bytes.
type DeliverArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind names the job in River's tables; never change it, queued jobs carry it.
func (DeliverArgs) Kind() string { return "notification.deliver" }
