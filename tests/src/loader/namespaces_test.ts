import assert from "node:assert/strict";
import fc from "fast-check";
import {
  assignNamespaces,
  CONTRACT_RULES,
  HELPERS_PACKAGE,
} from "../../../src/loader/namespaces.ts";
import type { RegoModule } from "../../../src/loader/rego_parser.ts";
import { checkProperty } from "../../_helpers/property.ts";
import { replay, ROOT, tracee } from "../../_helpers/replay.ts";

const OWN_HELPERS = `${ROOT}tests/fixtures/signatures/own_helpers`;

/** A parsed module as the parser would summarise it. */
function module(
  path: string,
  packagePath: string[],
  options: { root?: string; signature?: boolean; dataRefs?: string[][] } = {},
): RegoModule {
  return {
    path,
    text: path,
    hash: path,
    root: options.root ?? "/dir",
    packagePath,
    syntax: "v1",
    importsRegoV1: true,
    rules: options.signature === false ? ["helper"] : [...CONTRACT_RULES],
    dataRefs: options.dataRefs ?? [["tracee", "helpers"]],
    inputFields: null,
  };
}

const BUILTIN = module("/builtin/helpers.rego", [...HELPERS_PACKAGE], {
  root: "/builtin",
  signature: false,
  dataRefs: [],
});

Deno.test("a directory's own tracee.helpers serves its signatures; another directory's see the built-in ones", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [
      `${OWN_HELPERS}/with_helpers`,
      `${OWN_HELPERS}/without_helpers`,
    ],
    lines: [tracee("openat", [["pathname", "const char*", "/etc/hosts"]])],
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    findings.map((f) => [f.eventName, f.args.map((a) => a.value)]),
    [
      ["own_helpers", ["own", "/etc/hosts"]],
      ["builtin_helpers", ["built-in", "/etc/hosts"]],
    ],
  );
});

Deno.test("assignNamespaces() gives the built-in helpers to a directory without its own, and only its own to one with", () => {
  const own = module("/a/helpers.rego", [...HELPERS_PACKAGE], {
    root: "/a",
    signature: false,
  });
  const mine = module("/a/mine.rego", ["tracee", "MINE"], { root: "/a" });
  const other = module("/b/other.rego", ["tracee", "OTHER"], { root: "/b" });
  const { signatures, errors } = assignNamespaces([own, mine, other], [
    BUILTIN,
  ]);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    signatures.map((s) => [s.module.path, s.libraries.map((l) => l.path)]),
    [["/a/mine.rego", ["/a/helpers.rego"]], ["/b/other.rego", [
      "/builtin/helpers.rego",
    ]]],
  );
});

Deno.test("assignNamespaces() compiles a signature with the libraries it refers to, through other libraries", () => {
  const base = module("/a/base.rego", ["lib", "base"], {
    signature: false,
    dataRefs: [],
  });
  const top = module("/a/top.rego", ["lib", "top"], {
    signature: false,
    dataRefs: [["lib", "base", "f"]],
  });
  const unused = module("/a/unused.rego", ["lib", "unused"], {
    signature: false,
  });
  const user = module("/a/user.rego", ["sig"], { dataRefs: [["lib", "top"]] });
  const everything = module("/a/all.rego", ["sig2"], { dataRefs: [[]] });
  const { signatures } = assignNamespaces(
    [base, top, unused, user, everything],
    [
      BUILTIN,
    ],
  );
  assert.deepEqual(
    signatures.map((s) => s.libraries.map((l) => l.path)),
    [
      ["/a/base.rego", "/a/top.rego"],
      [
        "/a/base.rego",
        "/a/top.rego",
        "/a/unused.rego",
        "/builtin/helpers.rego",
      ],
    ],
  );
});

const segment = fc.constantFrom("tracee", "helpers", "a", "b", "c");
const packagePath = fc.array(segment, { minLength: 1, maxLength: 3 });

Deno.test("assignNamespaces() never lets two modules share a namespace with a signature, whatever their packages", () => {
  checkProperty(
    fc.property(
      fc.array(
        fc.tuple(packagePath, fc.boolean(), fc.constantFrom("/x", "/y")),
        {
          maxLength: 12,
        },
      ),
      (specs) => {
        const modules = specs.map(([path, signature, root], i) =>
          module(`${root}/m${i}.rego`, path, { root, signature })
        );
        const { signatures, errors } = assignNamespaces(modules, [BUILTIN]);
        const accepted = new Set(signatures.map((s) => s.module));
        const libraries = new Set(signatures.flatMap((s) => s.libraries));
        const overlap = (a: string[], b: string[]) =>
          a.slice(0, b.length).join(".") === b.slice(0, a.length).join(".");
        for (const s of accepted) {
          assert.ok(!overlap(s.packagePath, [...HELPERS_PACKAGE]));
          for (const other of modules) {
            if (other === s || !overlap(s.packagePath, other.packagePath)) {
              continue;
            }
            // Whatever overlaps an accepted signature was refused.
            assert.ok(!accepted.has(other) && !libraries.has(other));
            assert.ok(errors.some((e) => e.path === other.path));
          }
        }
        for (const library of libraries) {
          if (library === BUILTIN) continue;
          if (library.packagePath[0] === "tracee") {
            assert.deepEqual(library.packagePath, [...HELPERS_PACKAGE]);
          }
        }
        // Every module is a signature, a library, or refused with a reason.
        for (const m of modules) {
          const library = m.rules.length === 1;
          assert.ok(
            accepted.has(m) || library ||
              errors.some((e) => e.path === m.path),
          );
        }
      },
    ),
  );
});

Deno.test("assignNamespaces() gives each rule of a directory's libraries to one file, whatever they define", () => {
  const rule = fc.constantFrom("f", "g", "helpers", "a");
  checkProperty(
    fc.property(
      fc.array(
        fc.tuple(
          fc.array(fc.constantFrom("lib", "a", "f"), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.uniqueArray(rule, { minLength: 1, maxLength: 3 }),
          fc.constantFrom("/x", "/y"),
        ),
        { maxLength: 10 },
      ),
      (specs) => {
        const libraries = specs.map(([packagePath, rules, root], i) => ({
          ...module(`${root}/l${i}.rego`, packagePath, { root }),
          rules,
        }));
        // One signature per directory, using everything under data.
        const users = ["/x", "/y"].map((root) =>
          module(`${root}/user.rego`, ["sig", root.slice(1)], {
            root,
            dataRefs: [[]],
          })
        );
        const { signatures, errors } = assignNamespaces(
          [...libraries, ...users],
          [BUILTIN],
        );
        for (const { module: user, libraries: used } of signatures) {
          const paths = used.filter((l) => l !== BUILTIN).flatMap((l) =>
            l.rules.map((r) => ({ file: l.path, path: [...l.packagePath, r] }))
          );
          for (const a of paths) {
            for (const b of paths) {
              if (a.file === b.file) continue;
              const shared = Math.min(a.path.length, b.path.length);
              assert.notDeepEqual(
                a.path.slice(0, shared),
                b.path.slice(0, shared),
                `${a.file} and ${b.file} both define under ${a.path}`,
              );
            }
          }
          // Every library of the directory is used or refused.
          for (const library of libraries) {
            if (library.root !== user.root) continue;
            assert.ok(
              used.includes(library) ||
                errors.some((e) => e.path === library.path),
            );
          }
        }
      },
    ),
  );
});
