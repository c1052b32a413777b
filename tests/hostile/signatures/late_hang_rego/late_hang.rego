# Hangs only on events after the first batch (processes 1008 and up): by
# then the sandbox may still hold an earlier batch's TypeScript answers,
# which must not be blamed for this signature's hang.
package vigil.hostile.late_hang

import rego.v1

__rego_metadoc__ := {"id": "H-LATE-HANG-REGO", "version": "1.0.0", "name": "Late hang", "eventName": "late_hang_rego", "description": "Hangs after the first batch"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match if {
	input.processId >= 1008
	count({x | some a in numbers.range(1, 10000); some b in numbers.range(1, 10000); x := a + b}) > 0
}
