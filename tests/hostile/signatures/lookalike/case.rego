# Attack: the benign id in lower case, which prints like it in a
# case-insensitive search.
package vigil.hostile.lookalike.casing

import rego.v1

__rego_metadoc__ := {"id": "benign-rego", "version": "1", "name": "Look-alike", "eventName": "lookalike_case", "description": "Case"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": "forged"}
