package payment

import (
	"reflect"
	"testing"
	"time"
)

func TestCloneSharesNothing(t *testing.T) {
	done := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	p := Payment{
		ID: "p1", CompletedAt: &done, Extra: map[string]string{"concat": "x"},
		Metadata: []Metadata{{Name: "n", Show: true, Value: "v"}}, SealedSecret: []byte{1, 2, 3},
	}
	c := p.Clone()
	if !reflect.DeepEqual(p, c) {
		t.Fatalf("clone differs: %+v vs %+v", c, p)
	}
	*c.CompletedAt = done.Add(time.Hour)
	c.Extra["concat"] = "changed"
	c.Metadata[0].Value = "changed"
	c.SealedSecret[0] = 9
	if !p.CompletedAt.Equal(done) || p.Extra["concat"] != "x" || p.Metadata[0].Value != "v" || p.SealedSecret[0] != 1 {
		t.Fatalf("changing the clone changed the original: %+v", p)
	}
}

// A field added to Payment that holds memory by reference must be copied by
// Clone: the SQLite store hands out clones of the payments it keeps.
func TestCloneKnowsEveryReferenceField(t *testing.T) {
	copied := map[string]bool{"CompletedAt": true, "Extra": true, "Metadata": true, "SealedSecret": true}
	ty := reflect.TypeFor[Payment]()
	for i := range ty.NumField() {
		f := ty.Field(i)
		switch f.Type.Kind() {
		case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
			if !copied[f.Name] {
				t.Errorf("Payment.%s is a %s: Clone must copy it", f.Name, f.Type.Kind())
			}
		case reflect.Struct:
			for j := range f.Type.NumField() {
				if k := f.Type.Field(j).Type.Kind(); k != reflect.String && k != reflect.Bool && k != reflect.Int64 && f.Type != reflect.TypeFor[time.Time]() {
					t.Errorf("Payment.%s.%s is a %s: Clone must copy it", f.Name, f.Type.Field(j).Name, k)
				}
			}
		}
	}
}
