/**
 * `deno task package`: builds the Debian package `vigil_<version>_<arch>.deb`
 * offline, with `dpkg-deb`.
 *
 * What it holds, and why the program is a source tree rather than a bundle:
 * the sandbox runs `src/sandbox/child/main.ts` as a file in a process of its
 * own, the TypeScript worker's modules are read as text and loaded from
 * `blob:` URLs, and the compile caches hash `deno.json` and the transpiler's
 * source: each reads a file beside its module, which one bundled file would
 * not have (tried: `deno bundle` makes one 1.5 MB file of 257 modules, which
 * then looks for the signatures, their helpers and the sandbox's program
 * beside itself, and finds none). So the package ships:
 *
 * ```
 * /usr/bin/vigil                    a wrapper: the pinned deno, the program
 * /usr/lib/vigil/deno               the Deno runtime this checkout pins
 * /usr/lib/vigil/app/               mod.ts, src/, signatures/, ffi/ (bindings,
 *                                   BPF objects, C helper), deno.json,
 *                                   node_modules/ (the npm packages, vendored)
 * /usr/lib/vigil/signature-cache/   the built-in signatures compiled (Rego to
 *                                   WebAssembly): OPA is needed only for others
 * /lib/systemd/system/vigil.service Restart=on-failure, reload = SIGHUP
 * /etc/vigil/vigil.yaml             the default config (a conffile)
 * ```
 *
 * At run time Deno's own cache is /var/cache/vigil/deno and the signature
 * cache /var/cache/vigil/signatures (seeded from the compiled one by
 * postinst); `apt-get purge` removes both.
 *
 * Usage: `deno task package [--out DIR]` (default: the current directory).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { VIGIL_DENO_FLAGS } from "../src/cli/reexec.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const LIB = "usr/lib/vigil";
const APP = `${LIB}/app`;
const SIGNATURE_CACHE = `${LIB}/signature-cache`;
/** The BPF objects and C helper `ffi/` loads at run time. */
const FFI_OUTPUTS = [
  "vigil.bpf.o",
  "vigil_portable.bpf.o",
  "libvigil_helper.so",
];

async function run(
  command: string,
  args: string[],
  cwd = ROOT,
): Promise<string> {
  const output = await new Deno.Command(command, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `Cannot build the package: ${command} ${args.join(" ")} failed: ${
        text.decode(output.stderr).trim()
      }`,
    );
  }
  return text.decode(output.stdout);
}

/** Copies the files of `dir` (relative to the checkout) whose names pass. */
async function copyTree(
  dir: string,
  target: string,
  keep: (name: string) => boolean,
): Promise<void> {
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await copyTree(path, target, keep);
    else if (entry.isFile && keep(entry.name)) {
      await Deno.mkdir(`${target}/${dir}`, { recursive: true });
      await Deno.copyFile(`${ROOT}${path}`, `${target}/${path}`);
    }
  }
}

/**
 * The program's files, and its npm packages installed from Deno's cache into
 * `node_modules/` (no network); then `deno.json` reads them from there.
 */
async function stageProgram(stage: string, deno: string): Promise<void> {
  const app = `${stage}/${APP}`;
  const notTest = (name: string) => !/_test\.(ts|rego)$/.test(name);
  await copyTree("src", app, notTest);
  await copyTree("signatures", app, notTest);
  await copyTree("ffi", app, (name) => name.endsWith(".ts"));
  await Deno.mkdir(`${app}/ffi/.output`, { recursive: true });
  for (const name of FFI_OUTPUTS) {
    await Deno.copyFile(
      `${ROOT}ffi/.output/${name}`,
      `${app}/ffi/.output/${name}`,
    );
  }
  await Deno.copyFile(`${ROOT}mod.ts`, `${app}/mod.ts`);
  await Deno.copyFile(`${ROOT}deno.lock`, `${app}/deno.lock`);
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const write = (extra: Record<string, unknown>) =>
    Deno.writeTextFile(
      `${app}/deno.json`,
      JSON.stringify({ ...config, ...extra }, null, 2) + "\n",
    );
  await write({ nodeModulesDir: "auto" });
  await run(deno, [
    "install",
    "--quiet",
    "--frozen",
    "--entrypoint",
    "mod.ts",
    "src/sandbox/child/main.ts",
  ], app);
  // Installed: read node_modules as it is, never touch a lock file.
  await write({ nodeModulesDir: "manual", lock: false });
  await Deno.remove(`${app}/deno.lock`);
}

/** Compiles the built-in signatures into the shipped cache, with the staged program. */
async function compileSignatures(stage: string, deno: string): Promise<void> {
  const { defaultOpaPath } = await import("../src/loader/mod.ts");
  await run(deno, [
    "run",
    "-A",
    "--quiet",
    `${stage}/${APP}/mod.ts`,
    "list",
    "--cache-dir",
    `${stage}/${SIGNATURE_CACHE}`,
    "--opa",
    defaultOpaPath(),
  ], stage);
}

const WRAPPER = `#!/bin/sh
# Vigil, as the Debian package installs it: the pinned Deno runs the program
# with its own caches; /etc/vigil/vigil.yaml is read unless --config says
# otherwise (a later --config wins).
export DENO_DIR=/var/cache/vigil/deno
config=/etc/vigil/vigil.yaml
if [ -f "$config" ]; then set -- --config "$config" "$@"; fi
exec /${LIB}/deno run ${VIGIL_DENO_FLAGS.join(" ")} --quiet --no-prompt \\
  /${APP}/mod.ts "$@"
`;

const SERVICE = `[Unit]
Description=Vigil runtime security sensor
Documentation=file:///usr/share/doc/vigil/README.md
After=local-fs.target

[Service]
Type=exec
ExecStart=/usr/bin/vigil
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`;

const CONFIG =
  `# Vigil's configuration. Keys are the long options of "vigil --help"
# without "--"; a flag on the command line overrides its key.
cache-dir: /var/cache/vigil/signatures
output: json
# signatures-dir: [/usr/lib/vigil/app/signatures, /etc/vigil/signatures]
# exceptions: /etc/vigil/exceptions.yaml
# watch: true
`;

const POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  mkdir -p /var/cache/vigil/signatures
  cp -R -n /${SIGNATURE_CACHE}/. /var/cache/vigil/signatures/
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
`;

const PRERM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop vigil.service || true
fi
`;

const POSTRM = `#!/bin/sh
set -e
if [ "$1" = purge ]; then rm -rf /var/cache/vigil /var/lib/vigil; fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
`;

async function writeFile(path: string, text: string, mode = 0o644) {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, mode);
}

async function stageSystem(stage: string, version: string, arch: string) {
  await writeFile(`${stage}/usr/bin/vigil`, WRAPPER, 0o755);
  await writeFile(`${stage}/lib/systemd/system/vigil.service`, SERVICE);
  await writeFile(`${stage}/etc/vigil/vigil.yaml`, CONFIG);
  await Deno.mkdir(`${stage}/usr/share/doc/vigil`, { recursive: true });
  await Deno.copyFile(
    `${ROOT}README.md`,
    `${stage}/usr/share/doc/vigil/README.md`,
  );
  const size =
    (await run("du", ["-sk", "--exclude=DEBIAN", stage])).split("\t")[0];
  await writeFile(
    `${stage}/DEBIAN/control`,
    `Package: vigil
Version: ${version}
Architecture: ${arch}
Maintainer: Vigil developers <vigil@localhost>
Depends: libc6, libbpf1, util-linux
Section: admin
Priority: optional
Installed-Size: ${size}
Description: Linux runtime-security sensor
 eBPF programs report what processes do; Vigil turns the records into
 Tracee-compatible events and hands them to sandboxed Rego and TypeScript
 signatures. The built-in signatures come compiled; OPA is needed only to
 compile other Rego signatures.
`,
  );
  await writeFile(`${stage}/DEBIAN/conffiles`, "/etc/vigil/vigil.yaml\n");
  await writeFile(`${stage}/DEBIAN/postinst`, POSTINST, 0o755);
  await writeFile(`${stage}/DEBIAN/prerm`, PRERM, 0o755);
  await writeFile(`${stage}/DEBIAN/postrm`, POSTRM, 0o755);
}

/** Builds the package into `outDir`; returns its path. */
export async function buildPackage(outDir: string): Promise<string> {
  const deno = await Deno.realPath(Deno.execPath());
  for (const name of FFI_OUTPUTS) {
    await Deno.stat(`${ROOT}ffi/.output/${name}`).catch(() =>
      run("make", ["-s", "-C", `${ROOT}ffi`])
    );
  }
  const { version } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const arch = (await run("dpkg", ["--print-architecture"])).trim();
  const stage = await Deno.makeTempDir({ prefix: "vigil-package-" });
  try {
    await Deno.mkdir(`${stage}/${LIB}`, { recursive: true });
    await Deno.copyFile(deno, `${stage}/${LIB}/deno`);
    await Deno.chmod(`${stage}/${LIB}/deno`, 0o755);
    await stageProgram(stage, deno);
    await compileSignatures(stage, deno);
    await stageSystem(stage, version, arch);
    const deb = `${await Deno.realPath(outDir)}/vigil_${version}_${arch}.deb`;
    await run("dpkg-deb", [
      "--root-owner-group",
      "-Zgzip",
      "-z1",
      "--build",
      stage,
      deb,
    ]);
    return deb;
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string", default: "." } },
  });
  try {
    console.log(await buildPackage(values.out!));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}
