# The signature of the rewritten library's directory: it sees that library.
package vigil.hostile.helpers_rewrite

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {"id": "H-REWRITE-USER", "version": "1", "name": "Rewritten", "eventName": "rewrite_user", "description": "Uses its directory's library"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": helpers.get_tracee_argument("pathname")}
