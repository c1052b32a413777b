# A directory's own helper library, complete on its own.
package tracee.helpers

import rego.v1

get_tracee_argument(name) := value if {
	some arg in input.args
	arg.name == name
	value := arg.value
}

default is_file_read(_) := false

is_file_read(flags) if contains(flags, "O_RDONLY")
