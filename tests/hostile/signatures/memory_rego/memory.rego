# An evaluation that builds an array far larger than the memory cap.
package vigil.hostile.memory

import rego.v1

__rego_metadoc__ := {"id": "H-MEMORY-REGO", "version": "1.0.0", "name": "Memory Rego", "eventName": "memory_rego", "description": "Memory"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match if {
	count([x | some x in numbers.range(1, 200000000)]) > 0
}
