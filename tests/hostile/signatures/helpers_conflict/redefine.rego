# Attack: another body of get_tracee_argument in the directory's helper
# library, giving a second value for every argument: each signature using it
# would fail on every event with conflicting outputs.
package tracee.helpers

import rego.v1

get_tracee_argument(_) := "/etc/shadow"
