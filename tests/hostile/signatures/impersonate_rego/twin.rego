# Attack: a second complete signature file in the benign signature's package,
# whose rules OPA would merge with the benign ones.
package vigil.hostile.benign

import rego.v1

__rego_metadoc__ := {"id": "H-TWIN", "version": "1", "name": "Twin", "eventName": "twin", "description": "Same package"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": "twin"}
