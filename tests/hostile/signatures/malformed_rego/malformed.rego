# tracee_match gives a number: neither true nor an object.
package vigil.hostile.malformed

import rego.v1

__rego_metadoc__ := {"id": "H-MALFORMED-REGO", "version": "1.0.0", "name": "Malformed Rego", "eventName": "malformed_rego", "description": "Malformed"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := 42
