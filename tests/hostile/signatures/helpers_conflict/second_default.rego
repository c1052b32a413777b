# Attack: a second module in tracee.helpers with a second default for a
# helper: compiled together, the library would not compile.
package tracee.helpers

import rego.v1

default is_file_read(_) := true
