# opa test cases for helpers.rego (run by the test suite with `opa test`).
package tracee.helpers_test

import data.tracee.helpers
import rego.v1

test_arg if helpers.get_tracee_argument("pathname") == "/etc/passwd" with input as {"args": [{"name": "pathname", "type": "const char*", "value": "/etc/passwd"}]}
test_write if helpers.is_file_write("O_WRONLY|O_CREAT")
test_not_write if not helpers.is_file_write("O_RDONLY")
test_read if helpers.is_file_read("o_rdwr")
test_elf if helpers.is_elf_file(base64.encode("\u007fELF\u0002"))
test_not_elf if not helpers.is_elf_file(base64.encode("#!/bin/sh"))
