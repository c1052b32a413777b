# An evaluation that takes far longer than any deadline: a comprehension over
# a hundred million pairs.
package vigil.hostile.slow

import rego.v1

__rego_metadoc__ := {"id": "H-SLOW-REGO", "version": "1.0.0", "name": "Slow Rego", "eventName": "slow_rego", "description": "Slow"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match if {
	count({x | some a in numbers.range(1, 10000); some b in numbers.range(1, 10000); x := a + b}) > 0
}
