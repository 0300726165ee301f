package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRequireChromiumWithoutBrowser runs a test in a child process with an
// empty PATH: it must skip on a developer machine and fail when a browser
// is required, so CI cannot go green by skipping browser tests.
func TestRequireChromiumWithoutBrowser(t *testing.T) {
	t.Parallel()
	run := func(extra ...string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequireChromiumChild$", "-test.v")
		cmd.Env = append(cleanEnv(), "E2E_CHILD=1", "PATH=")
		cmd.Env = append(cmd.Env, extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run()
	require.NoError(t, err, out)
	require.Contains(t, out, "--- SKIP: TestRequireChromiumChild")
	require.Contains(t, out, "PASARELA_REQUIRE_BROWSER=1")

	for _, env := range []string{"PASARELA_REQUIRE_BROWSER=1", "CI=true"} {
		out, err = run(env)
		require.Error(t, err, "%s: %s", env, out)
		require.Contains(t, out, "--- FAIL: TestRequireChromiumChild", env)
		require.Contains(t, out, "failing, not skipping", env)
	}

	out, err = run("PASARELA_CHROMIUM=/nonexistent/chromium")
	require.Error(t, err, out)
	require.Contains(t, out, "PASARELA_CHROMIUM")
}

// TestRequireChromiumChild is the child's side; in a normal run it does
// nothing (and passes rather than skips: scripts/test fails on any skip).
func TestRequireChromiumChild(t *testing.T) {
	t.Parallel()
	if os.Getenv("E2E_CHILD") != "1" {
		return
	}
	RequireChromium(t)
	t.Log("found a browser")
}

// cleanEnv is the environment without the variables the child's cases
// set themselves (CI runs this test with CI and PASARELA_REQUIRE_BROWSER).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "CI", "PASARELA_REQUIRE_BROWSER", "PASARELA_CHROMIUM", "PATH":
			continue
		}
		env = append(env, kv)
	}
	return env
}
