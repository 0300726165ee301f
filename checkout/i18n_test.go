package checkout

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, accept, explicit string
		want                   Lang
	}{
		{"nothing", "", "", Spanish},
		{"explicit wins", "en-US,en;q=0.9", "pt", Portuguese},
		{"explicit region and case", "", "PT-br", Portuguese},
		{"explicit underscore", "", "en_US", English},
		{"unknown explicit falls through", "en", "fr", English},
		{"accept first", "pt-BR,pt;q=0.9,en;q=0.8", "", Portuguese},
		{"q-values", "fr;q=1, en;q=0.4, pt;q=0.7", "", Portuguese},
		{"tie keeps first", "en;q=0.5, pt;q=0.5", "", English},
		{"q=0 refuses", "en;q=0", "", Spanish},
		{"malformed q ignored", "en;q=abc, pt;q=0.1", "", Portuguese},
		{"unsupported only", "fr-FR,de;q=0.8", "", Spanish},
		{"wildcard", "*", "", Spanish},
		{"spaces", "  en-GB ; q=0.8 ,es;q=0.7", "", English},
		{"garbage", ";;,,=,q", "", Spanish},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Negotiate(tc.accept, tc.explicit))
		})
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Lang{"es": Spanish, "es-CL": Spanish, " EN ": English, "pt_BR": Portuguese} {
		got, ok := ParseLang(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "fr", "e", "english", "-"} {
		_, ok := ParseLang(in)
		require.False(t, ok, in)
	}
}

// TestCatalogComplete is the completeness check of the built-in strings:
// every key in all three languages, with the same fmt verbs.
func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	require.NoError(t, messages.Check())
	for key, m := range messages {
		for _, l := range Languages() {
			require.NotEmpty(t, m.In(l), "%s in %s", key, l)
		}
	}
}

func TestCatalogCheckFindsGaps(t *testing.T) {
	t.Parallel()
	err := Catalog{
		"ok":       {ES: "Hola %s", EN: "Hi %s", PT: "Olá %s"},
		"reorder":  {ES: "%[2]s de %[1]s", EN: "%[1]s's %[2]s", PT: "%[2]s de %[1]s"},
		"percent":  {ES: "100%% seguro", EN: "100%% safe", PT: "100%% seguro"},
		"no.pt":    {ES: "Hola", EN: "Hi"},
		"blank.en": {ES: "Hola", EN: "  ", PT: "Olá"},
		"verbs":    {ES: "Volver a %s", EN: "Return", PT: "Voltar para %s"},
	}.Check()
	require.Error(t, err)
	require.Contains(t, err.Error(), `"no.pt" has no pt text`)
	require.Contains(t, err.Error(), `"blank.en" has no en text`)
	require.Contains(t, err.Error(), `"verbs": en has verbs`)
	require.NotContains(t, err.Error(), `"ok"`)
	require.NotContains(t, err.Error(), `"reorder"`)
	require.NotContains(t, err.Error(), `"percent"`)
}

func TestMergeRefusesRedefinition(t *testing.T) {
	t.Parallel()
	_, err := merge(messages, Catalog{"secure": {ES: "x", EN: "x", PT: "x"}})
	require.ErrorContains(t, err, `"secure" defined twice`)
}

func TestLangName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Español", Spanish.Name())
	require.Equal(t, "English", English.Name())
	require.Equal(t, "Português", Portuguese.Name())
}
