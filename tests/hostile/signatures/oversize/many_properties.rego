# Attack: metadata properties of 5,000 entries, each small, built at load.
package vigil.hostile.many_properties

import rego.v1

__rego_metadoc__ := {
	"id": "H-MANY-PROPERTIES",
	"version": "1",
	"name": "Many properties",
	"eventName": "many_properties",
	"description": "Wide metadata",
	"properties": {sprintf("p%d", [i]): i | some i in numbers.range(1, 5000)},
}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": "wide"}
