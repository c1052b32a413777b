# opa test cases for k8s_credentials_access.rego.
package tracee.VGL_11_test

import data.tracee.VGL_11
import rego.v1

token_path := "/run/secrets/kubernetes.io/serviceaccount/..2026_11_27_18_02_11.3318419023/token"

open_event(process, pathname, flags) := {
	"processId": 233,
	"processName": process,
	"containerId": "c3a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": flags},
		{"name": "dev", "type": "dev_t", "value": 67},
		{"name": "inode", "type": "unsigned long", "value": 4},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": "/var/run/secrets/kubernetes.io/serviceaccount/token"},
	],
}

test_token_read_by_cat_matches if {
	VGL_11.tracee_match == {"pathname": token_path, "credential": "service-account token"} with input as open_event("cat", token_path, "O_RDONLY|O_LARGEFILE")
}

test_projected_token_read_on_host_matches if {
	path := "/var/lib/kubelet/pods/5e0c3d42-8f61-4b8e-9a43-2f1c9e7d6b50/volumes/kubernetes.io~projected/kube-api-access-7x2kq/..2026_11_27_18_02_11.3318419023/token"
	VGL_11.tracee_match.credential == "service-account token" with input as open_event("python3", path, "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_pki_key_read_matches if {
	VGL_11.tracee_match == {"pathname": "/etc/kubernetes/pki/ca.key", "credential": "TLS key"} with input as open_event("curl", "/etc/kubernetes/pki/ca.key", "O_RDONLY|O_LARGEFILE")
}

test_kubelet_client_cert_read_matches if {
	VGL_11.tracee_match.credential == "TLS key" with input as open_event("tar", "/var/lib/kubelet/pki/kubelet-client-current.pem", "O_RDONLY|O_NOCTTY|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW|O_CLOEXEC")
}

test_token_read_by_component_does_not_match if {
	not VGL_11.tracee_match with input as open_event("kube-proxy", token_path, "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_key_read_by_apiserver_does_not_match if {
	not VGL_11.tracee_match with input as open_event("kube-apiserver", "/etc/kubernetes/pki/apiserver.key", "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_token_write_does_not_match if {
	not VGL_11.tracee_match with input as open_event("cat", token_path, "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE")
}

test_public_cert_read_does_not_match if {
	not VGL_11.tracee_match with input as open_event("curl", "/etc/kubernetes/pki/ca.crt", "O_RDONLY|O_LARGEFILE")
}

test_namespace_file_does_not_match if {
	not VGL_11.tracee_match with input as open_event("cat", "/run/secrets/kubernetes.io/serviceaccount/..2026_11_27_18_02_11.3318419023/namespace", "O_RDONLY|O_LARGEFILE")
}
