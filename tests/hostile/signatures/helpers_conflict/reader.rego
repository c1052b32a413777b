# A signature of the directory: it gets the library as its first file
# defines it.
package vigil.hostile.helpers_conflict

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {"id": "H-CONFLICT-USER", "version": "1", "name": "Reader", "eventName": "conflict_user", "description": "Uses the library"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": path} if {
	path := helpers.get_tracee_argument("pathname")
	helpers.is_file_read(helpers.get_tracee_argument("flags"))
}
