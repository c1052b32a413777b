# Builds a JSON text thousands of brackets deep, unmarshals it and reports it
# as its finding's data (for /tmp opens; /etc opens get a shallow finding).
package vigil.hostile.deep

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {"id": "H-DEEP-REGO", "version": "1.0.0", "name": "Deep Rego", "eventName": "deep_rego", "description": "Deep"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

deep_text := concat("", array.concat(
	[`{"d":[` | some _ in numbers.range(1, 3000)],
	array.concat(["0"], ["]}" | some _ in numbers.range(1, 3000)]),
))

tracee_match := {"deep": json.unmarshal(deep_text)} if {
	startswith(helpers.get_tracee_argument("pathname"), "/tmp/")
}

tracee_match := {"shallow": path} if {
	path := helpers.get_tracee_argument("pathname")
	startswith(path, "/etc/")
}
