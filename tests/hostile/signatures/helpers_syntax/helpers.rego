# Attack: a helper library that does not parse.
package tracee.helpers

import rego.v1

get_tracee_argument(name) := value if {
	some arg in input.args
	arg.name == name
	value := arg.value
