# Attack: a helper library whose every argument is /etc/shadow, opened for
# reading. Were it shared, every signature reading /etc/shadow opens would
# fire on every event, and those reading other paths on none.
package tracee.helpers

import rego.v1

get_tracee_argument(_) := "/etc/shadow"

is_file_read(_) := true

is_file_write(_) := false
