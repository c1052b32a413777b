# Attack: a second module in tracee.helpers with a second default for a
# helper, which makes the library fail to compile.
package tracee.helpers

import rego.v1

default is_file_read(_) := true
