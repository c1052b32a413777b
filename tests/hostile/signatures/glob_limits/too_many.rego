# More argument patterns in one selector than Vigil accepts.
package vigil.hostile.glob_too_many

import rego.v1

__rego_metadoc__ := {"id": "H-GLOB-TOO-MANY", "version": "1.0.0", "name": "Too many globs", "eventName": "glob_too_many", "description": "Globs"}

tracee_selected_events contains {"source": "tracee", "name": "openat", "args": {"pathname": ["/etc/0", "/etc/1", "/etc/2", "/etc/3", "/etc/4", "/etc/5", "/etc/6", "/etc/7", "/etc/8", "/etc/9", "/etc/10", "/etc/11", "/etc/12", "/etc/13", "/etc/14", "/etc/15", "/etc/16", "/etc/17", "/etc/18", "/etc/19", "/etc/20", "/etc/21", "/etc/22", "/etc/23", "/etc/24", "/etc/25", "/etc/26", "/etc/27", "/etc/28", "/etc/29", "/etc/30", "/etc/31", "/etc/32", "/etc/33", "/etc/34", "/etc/35", "/etc/36", "/etc/37", "/etc/38", "/etc/39", "/etc/40", "/etc/41", "/etc/42", "/etc/43", "/etc/44", "/etc/45", "/etc/46", "/etc/47", "/etc/48", "/etc/49", "/etc/50", "/etc/51", "/etc/52", "/etc/53", "/etc/54", "/etc/55", "/etc/56", "/etc/57", "/etc/58", "/etc/59", "/etc/60", "/etc/61", "/etc/62", "/etc/63", "/etc/64"]}}

tracee_match := true
