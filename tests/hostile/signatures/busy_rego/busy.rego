# Slow but within the deadline: a comprehension over fifty thousand
# pairs per event. The TypeScript signatures beside it must not be charged
# for the time their answers wait while it runs.
package vigil.hostile.busy

import rego.v1

__rego_metadoc__ := {"id": "H-BUSY-REGO", "version": "1.0.0", "name": "Busy Rego", "eventName": "busy_rego", "description": "Slow, not hanging"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match if {
	count({x | some a in numbers.range(1, 500); some b in numbers.range(1, 100); x := a * b}) < 0
}
