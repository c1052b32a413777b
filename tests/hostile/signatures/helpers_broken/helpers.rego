# Attack: a one-file helper library that parses but does not compile: two
# defaults for one rule.
package tracee.helpers

import rego.v1

get_tracee_argument(name) := value if {
	some arg in input.args
	arg.name == name
	value := arg.value
}

default mode := "read"

default mode := "write"
