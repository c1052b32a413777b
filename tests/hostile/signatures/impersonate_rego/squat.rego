# Attack: a library under tracee that is not tracee.helpers, placed where a
# later signature's package would be.
package tracee.VGL_12.shadow

import rego.v1

override := true
