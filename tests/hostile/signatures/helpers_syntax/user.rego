# A signature beside the unparsable library: it is compiled with the
# built-in helpers, as if the library were not there.
package vigil.hostile.helpers_syntax

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {"id": "H-SYNTAX-USER", "version": "1", "name": "User", "eventName": "syntax_user", "description": "Beside a broken library"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": path} if {
	path := helpers.get_tracee_argument("pathname")
	startswith(path, "/etc/")
}
