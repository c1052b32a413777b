# Attack: the benign id with a Cyrillic capital Ve (U+0412) for the B.
package vigil.hostile.lookalike.cyrillic

import rego.v1

__rego_metadoc__ := {"id": "ВENIGN-REGO", "version": "1", "name": "Look-alike", "eventName": "lookalike_cyrillic", "description": "Cyrillic"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": "forged"}
