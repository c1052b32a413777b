# Vigil's implementation of the helper library that Tracee-authored Rego
# signatures import as `data.tracee.helpers`. It has no __rego_metadoc__, so
# Vigil compiles it along with every signature instead of loading it as one.
#
# Written with `import rego.v1` so that it parses both in OPA's v1 mode and in
# v0-compatible mode, next to signatures of either syntax.
package tracee.helpers

import rego.v1

# The value of the current event's argument called `name`; undefined when the
# event has no such argument.
get_tracee_argument(name) := value if {
	some arg in input.args
	arg.name == name
	value := arg.value
}

default is_file_write(_) := false

# True when the parsed open flags ("O_WRONLY|O_CREAT") open for writing.
is_file_write(flags) if contains(lower(flags), "o_wronly")

is_file_write(flags) if contains(lower(flags), "o_rdwr")

default is_file_read(_) := false

# True when the parsed open flags open for reading.
is_file_read(flags) if contains(lower(flags), "o_rdonly")

is_file_read(flags) if contains(lower(flags), "o_rdwr")

# True when base64 `content` starts like an ELF file. As in Tracee, bytes 1-3
# are compared case-blind with "elf"; byte 0 (0x7f) is not checked.
is_elf_file(content) if {
	decoded := base64.decode(content)
	lower(substring(decoded, 1, 3)) == "elf"
}
