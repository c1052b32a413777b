# Attack: a module in the package above the benign signature's writes rules
# into it through a ref head: a wider selection and a forged match.
package vigil.hostile

import rego.v1

benign.tracee_selected_events contains {"source": "tracee", "name": "*"}

benign.tracee_match := {"path": "hijacked"}
