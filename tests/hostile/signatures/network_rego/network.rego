# Reaches for the network and the environment through OPA builtins that the
# sandbox does not provide.
package vigil.hostile.network

import rego.v1

__rego_metadoc__ := {"id": "H-NETWORK-REGO", "version": "1.0.0", "name": "Network Rego", "eventName": "network_rego", "description": "Network"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match := {"response": http.send({"method": "GET", "url": "http://127.0.0.1:9/"}), "env": opa.runtime().env}
