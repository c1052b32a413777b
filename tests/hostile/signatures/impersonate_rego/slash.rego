# Attack: a package part holding a slash, so that its rules' entrypoint
# names ("vigil/hostile/benign/...") are the benign signature's.
package vigil["hostile/benign"]

import rego.v1

__rego_metadoc__ := {"id": "H-SLASH", "version": "1", "name": "Slash", "eventName": "slash", "description": "A slash in a package part"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": "slash"}
