# Argument globs that a backtracking regular expression takes exponential
# time over on a long path: matched on the host, before any deadline.
package vigil.hostile.glob_backtrack

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {"id": "H-GLOB-BACKTRACK", "version": "1.0.0", "name": "Backtracking globs", "eventName": "glob_backtrack", "description": "Globs"}

tracee_selected_events contains {
	"source": "tracee",
	"name": "openat",
	"args": {"pathname": ["/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c*b"]},
}

tracee_match := {"path": helpers.get_tracee_argument("pathname")}
