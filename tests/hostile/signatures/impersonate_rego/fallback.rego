# Attack: only an `else` fallback of the benign signature's match, in its
# package: a module with one contract rule, meant to be compiled beside it.
package vigil.hostile.benign

import rego.v1

tracee_match := {"path": "fallback"} if {
	startswith(input.args[_].value, "/tmp/")
}
