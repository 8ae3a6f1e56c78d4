// Command deploy-check validates the files `k6-suite generate` writes with the real loaders of the
// platforms that will read them:
//
//	deploy-check compose <docker-compose.yml>
//	deploy-check kubernetes <dir|file> [<testrun-crd.yaml>]
//
// compose loads the file with compose-go (the library docker compose itself uses): the Compose
// specification's JSON schema (unknown keys are errors), interpolation from the process environment
// (a required variable that is unset is an error) and the consistency checks.
//
// kubernetes splits every YAML document of the file, or of every *.yaml/*.yml/*.json file of the folder
// (not its subfolders, like `kubectl apply -f <dir>`), decodes each core object strictly into its
// k8s.io/api type (an unknown field, a duplicate field, a wrong type or an invalid quantity is an error;
// an unknown kind too) and validates each TestRun (k6.io/v1alpha1) against the CRD's openAPIV3Schema as
// the API server does, reporting the fields structural pruning would drop as errors.
//
// Exit status: 0 when everything is valid, 1 with one line per problem on stderr, 2 for a usage error.
package main

import (
	"fmt"
	"os"
)

const usage = `usage:
  deploy-check compose <docker-compose.yml>
  deploy-check kubernetes <dir|file> [<testrun-crd.yaml>]`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	var problems []string
	var summary string
	switch {
	case args[0] == "compose" && len(args) == 2:
		summary, problems = checkCompose(args[1])
	case args[0] == "kubernetes" && (len(args) == 2 || len(args) == 3):
		crd := ""
		if len(args) == 3 {
			crd = args[2]
		}
		summary, problems = checkKubernetes(args[1], crd)
	default:
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "deploy-check %s %s: %d problem(s)\n", args[0], args[1], len(problems))
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "  %s\n", p)
		}
		return 1
	}
	fmt.Println(summary)
	return 0
}
