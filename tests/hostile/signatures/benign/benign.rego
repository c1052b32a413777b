# The benign signature loaded beside every hostile one: a finding for each
# open of a file under /etc/.
package vigil.hostile.benign

import rego.v1

import data.tracee.helpers

__rego_metadoc__ := {
	"id": "BENIGN-REGO",
	"version": "1.0.0",
	"name": "Benign Rego",
	"eventName": "benign_rego",
	"description": "Opens under /etc",
}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"path": path} if {
	path := helpers.get_tracee_argument("pathname")
	startswith(path, "/etc/")
}
