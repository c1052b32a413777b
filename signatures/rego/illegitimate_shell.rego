# VGL-7: a web server or database starts a shell.
package tracee.VGL_7

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-7",
	"version": "1.0.0",
	"name": "Shell started by a server process",
	"eventName": "illegitimate_shell",
	"description": "A shell (sh, bash, dash, zsh, ksh, mksh, csh, tcsh, ash, fish, or busybox run as a shell) was executed by a process that was a web server, application server or database just before the exec (sched_process_exec prev_comm: nginx, httpd, apache2, lighttpd, caddy, php-fpm*, php-cgi, mysqld, mariadbd, postgres, mongod, redis-server), the typical trace of a web shell or an injected command. Misses shells started through an intermediate program (the server runs python, which runs sh), servers with other process names, and servers that run commands without a shell. Known false positives: Apache piped loggers and CGI scripts run through /bin/sh, PostgreSQL archive_command and restore_command, and applications that deliberately call system().",
	"tags": ["linux", "web-shell"],
	"properties": {
		"Severity": 3,
		"Category": "persistence",
		"Technique": "Web Shell",
		"MITRE ATT&CK": "T1505.003: Web Shell",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "sched_process_exec", "origin": "*"}

shells := {"sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "ash", "fish"}

server_names := {
	"nginx", "httpd", "apache2", "lighttpd", "caddy", "php-cgi",
	"mysqld", "mariadbd", "postgres", "mongod", "redis-server",
}

tracee_match := {"shell": pathname, "parent_comm": parent} if {
	parent := helpers.get_tracee_argument("prev_comm")
	server(parent)
	pathname := helpers.get_tracee_argument("pathname")
	shell_binary(pathname)
}

server(name) if name in server_names

# php-fpm's process name carries its version, e.g. php-fpm8.2.
server(name) if startswith(name, "php-fpm")

shell_binary(pathname) if basename(pathname) in shells

shell_binary(pathname) if {
	basename(pathname) == "busybox"
	argv := helpers.get_tracee_argument("argv")
	basename(argv[0]) in shells
}

basename(path) := name if {
	parts := split(path, "/")
	name := parts[count(parts) - 1]
}
