# VGL-11: Kubernetes secrets read by a process that has no business with them.
package tracee.VGL_11

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-11",
	"version": "1.0.0",
	"name": "Kubernetes credentials access",
	"eventName": "k8s_credentials_access",
	"description": "A process other than a Kubernetes component (kubelet, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubeadm, etcd, coredns, flanneld, calico-node, cilium-agent, cilium-operator) opened for reading a service-account token (.../secrets/kubernetes.io/serviceaccount/.../token, or a projected token volume under /var/lib/kubelet/pods) or a cluster TLS key (/etc/kubernetes/pki/*.key, /var/lib/kubelet/pki/*). Processes are recognised by process name, which a process can change. Misses reads through a copy or a hard link made elsewhere, mmap of the file, reads of kubeconfig files holding embedded credentials, and secrets fetched from the API server. Known false positives: operators, controllers and other pods that use in-cluster configuration (their process name is not on the list) and backup tools copying /etc/kubernetes.",
	"tags": ["linux", "kubernetes", "credential-access"],
	"properties": {
		"Severity": 3,
		"Category": "credential-access",
		"Technique": "Unsecured Credentials",
		"MITRE ATT&CK": "T1552: Unsecured Credentials",
	},
}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": [
		"*/secrets/kubernetes.io/serviceaccount/*",
		"/var/lib/kubelet/pods/*",
		"/etc/kubernetes/pki/*",
		"/var/lib/kubelet/pki/*",
	]},
}

kubernetes_components := {
	"kubelet", "kube-apiserver", "kube-controller", "kube-scheduler",
	"kube-proxy", "kubeadm", "etcd", "coredns", "flanneld", "calico-node",
	"cilium-agent", "cilium-operator",
}

tracee_match := {"pathname": pathname, "credential": kind} if {
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_read(flags)
	pathname := helpers.get_tracee_argument("pathname")
	kind := credential_kind(pathname)
	not input.processName in kubernetes_components
}

credential_kind(pathname) := "service-account token" if {
	contains(pathname, "/secrets/kubernetes.io/serviceaccount/")
	endswith(pathname, "/token")
}

credential_kind(pathname) := "service-account token" if {
	startswith(pathname, "/var/lib/kubelet/pods/")
	contains(pathname, "/volumes/kubernetes.io~projected/")
	endswith(pathname, "/token")
}

credential_kind(pathname) := "TLS key" if {
	startswith(pathname, "/etc/kubernetes/pki/")
	endswith(pathname, ".key")
}

credential_kind(pathname) := "TLS key" if startswith(pathname, "/var/lib/kubelet/pki/")
