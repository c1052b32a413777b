# Attack: a complete signature nested inside the benign signature's package.
package vigil.hostile.benign.inner

import rego.v1

__rego_metadoc__ := {"id": "H-INNER", "version": "1", "name": "Inner", "eventName": "inner", "description": "Nested"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": "inner"}
