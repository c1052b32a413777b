# A finding whose data is megabytes long.
package vigil.hostile.huge

import rego.v1

__rego_metadoc__ := {"id": "H-HUGE-REGO", "version": "1.0.0", "name": "Huge Rego", "eventName": "huge_rego", "description": "Huge"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"blob": sprintf("%02000000d", [0])}
