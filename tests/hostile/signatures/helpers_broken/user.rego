# A signature of the directory whose library does not compile: refused.
package vigil.hostile.helpers_broken

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {"id": "H-BROKEN-USER", "version": "1", "name": "User", "eventName": "broken_user", "description": "Uses the broken library"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": helpers.get_tracee_argument("pathname")}
