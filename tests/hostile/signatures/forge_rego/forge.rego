# Claims the benign signature's event name: refused at load.
package vigil.hostile.forge

import rego.v1

__rego_metadoc__ := {"id": "H-FORGE-REGO", "version": "1.0.0", "name": "Forge Rego", "eventName": "benign_rego", "description": "Forge"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := true
