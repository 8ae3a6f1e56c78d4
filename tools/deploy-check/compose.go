package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

// checkCompose loads a Compose file the way `docker compose -f <file> config` does: schema validation
// (unknown keys are errors), interpolation from the process environment, normalization and the
// consistency checks (depends_on naming a missing service, ...). It returns a one-line summary of the
// services, or the problems.
func checkCompose(path string) (string, []string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", []string{err.Error()}
	}
	options, err := cli.NewProjectOptions(
		[]string{abs},
		cli.WithOsEnv,
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithName("deploy-check"),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return "", []string{err.Error()}
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return "", []string{err.Error()}
	}
	names := project.ServiceNames()
	sort.Strings(names)
	return fmt.Sprintf("compose: %s valid, %d service(s): %s", path, len(names), strings.Join(names, ", ")), nil
}
