/**
 * Decides which Rego modules are signatures and which are libraries, and
 * which libraries each signature is compiled with. Rego namespaces are owned,
 * not shared, so that no module can change what another signature matches or
 * the id its findings carry:
 *
 * - A signature (a module defining the three contract rules) owns its
 *   package and everything under it. No other module, in any directory, may
 *   have a package equal to it, inside it or containing it; of two
 *   signatures, the one found first keeps it.
 * - A library (a module defining none of them) serves only the signatures of
 *   the signature directory it was found in. Under `tracee`, the only library
 *   package is `tracee.helpers`. Libraries of a directory may share a package,
 *   but each rule belongs to the first file defining it.
 * - `data.tracee.helpers` is always there: a directory without its own
 *   `tracee.helpers` modules gets the built-in ones.
 *
 * A rule head can only extend its module's package downwards, so checking
 * packages covers every rule a module can define.
 *
 * @module
 */

import { SignatureError } from "../errors.ts";
import { printableAscii } from "./_printable.ts";
import type { RegoModule } from "./rego_parser.ts";

/** The rules of the Tracee contract. */
export const CONTRACT_RULES = [
  "__rego_metadoc__",
  "tracee_selected_events",
  "tracee_match",
] as const;

/** A part of a signature's package path. */
const NAME_REGEXP = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The package of the helper library, `tracee.helpers`. */
export const HELPERS_PACKAGE: readonly string[] = ["tracee", "helpers"];

/** A Rego signature and the libraries it is compiled with. */
export interface RegoSignature {
  module: RegoModule;
  libraries: RegoModule[];
  /**
   * The libraries its directory offers, as their hashes: signatures of equal
   * scopes can be compiled together.
   */
  scope: string;
}

/** What {@linkcode assignNamespaces} decided. */
export interface Namespaces {
  /** In the order of the modules given. */
  signatures: RegoSignature[];
  /** One per module refused. */
  errors: SignatureError[];
}

/**
 * Sorts `modules` (in discovery order) into signatures and libraries and
 * gives each signature the libraries it uses from its own directory, or
 * `builtinHelpers` where the directory has no `tracee.helpers`.
 */
export function assignNamespaces(
  modules: readonly RegoModule[],
  builtinHelpers: readonly RegoModule[],
): Namespaces {
  const errors: SignatureError[] = [];
  const refuse = (module: RegoModule, message: string) =>
    errors.push(new SignatureError(module.path, message));
  const owners = claimPackages(modules, refuse);
  const scopes = scopeLibraries(
    modules.filter((m) => !CONTRACT_RULES.some((r) => m.rules.includes(r))),
    owners,
    refuse,
  );
  const signatures = owners.map((module) => {
    const own = scopes.get(module.root) ?? [];
    const scope = own.some((l) => samePath(l.packagePath, HELPERS_PACKAGE))
      ? own
      : [...own, ...builtinHelpers];
    return {
      module,
      libraries: librariesUsedBy(module, scope),
      scope: scope.map((l) => l.hash).sort().join(","),
    };
  });
  return { signatures, errors };
}

type Refuse = (module: RegoModule, message: string) => void;

/** The signatures that own their packages, first found first served. */
function claimPackages(
  modules: readonly RegoModule[],
  refuse: Refuse,
): RegoModule[] {
  const owners: RegoModule[] = [];
  for (const module of modules) {
    const defined = CONTRACT_RULES.filter((r) => module.rules.includes(r));
    if (defined.length === 0) continue;
    if (defined.length < CONTRACT_RULES.length) {
      const missing = CONTRACT_RULES.filter((r) => !defined.includes(r));
      refuse(
        module,
        `it defines ${defined.join(" and ")} but not ${missing.join(" or ")}`,
      );
      continue;
    }
    const helpers = relation(module.packagePath, HELPERS_PACKAGE);
    const owner = owners.find((o) =>
      relation(module.packagePath, o.packagePath)
    );
    if (!module.packagePath.every((part) => NAME_REGEXP.test(part))) {
      // Its rules are named by joining the parts with "/": "a/b" would be
      // read as two parts, perhaps another signature's.
      refuse(
        module,
        `its package ${name(module)} is not a path of plain names`,
      );
    } else if (helpers) {
      refuse(
        module,
        `its package ${name(module)} ${
          VERBS[helpers]
        } tracee.helpers, the helper library's package`,
      );
    } else if (owner) {
      refuse(module, `its package ${name(module)} ${claimed(module, owner)}`);
    } else owners.push(module);
  }
  return owners;
}

/**
 * The libraries of each signature directory. A library is refused when its
 * package touches a signature's, when it is under `tracee` but not
 * `tracee.helpers`, or when one of its rules is already defined by another
 * file of its directory (a second `default`, or a second body of a helper
 * that would change what the first returns).
 */
function scopeLibraries(
  libraries: readonly RegoModule[],
  owners: readonly RegoModule[],
  refuse: Refuse,
): Map<string, RegoModule[]> {
  const scopes = new Map<string, RegoModule[]>();
  const rules = new Map<string, RuleTable>();
  for (const library of libraries) {
    const owner = owners.find((o) =>
      relation(library.packagePath, o.packagePath)
    );
    const table = rules.get(library.root) ?? new RuleTable();
    rules.set(library.root, table);
    const taken = table.clash(library);
    if (owner) {
      refuse(
        library,
        `its package ${name(library)} ${claimed(library, owner)}`,
      );
    } else if (
      library.packagePath[0] === "tracee" &&
      !samePath(library.packagePath, HELPERS_PACKAGE)
    ) {
      refuse(
        library,
        `its package ${
          name(library)
        } is under tracee, where only signatures and tracee.helpers may be`,
      );
    } else if (taken) {
      refuse(
        library,
        `its rule ${
          printableAscii(taken.rule)
        } is already defined by ${taken.owner}`,
      );
    } else {
      table.add(library);
      scopes.set(library.root, [...scopes.get(library.root) ?? [], library]);
    }
  }
  return scopes;
}

/**
 * The rules the libraries of one directory define, by their paths: a rule
 * belongs to the file that defined it first, with everything under it.
 */
class RuleTable {
  /** Rule path → the file defining it. */
  #rules = new Map<string, string>();
  /** Every path that has a rule under it → the file of that rule. */
  #above = new Map<string, string>();

  /** The first of `library`'s rules another file owns, if any. */
  clash(library: RegoModule): { rule: string; owner: string } | undefined {
    for (const path of rulePaths(library)) {
      for (let length = 1; length <= path.length; length++) {
        const owner = this.#rules.get(path.slice(0, length).join("\0"));
        if (owner) return { rule: path.join("."), owner };
      }
      const owner = this.#above.get(path.join("\0"));
      if (owner) return { rule: path.join("."), owner };
    }
    return undefined;
  }

  add(library: RegoModule): void {
    for (const path of rulePaths(library)) {
      this.#rules.set(path.join("\0"), library.path);
      for (let length = 1; length < path.length; length++) {
        this.#above.set(path.slice(0, length).join("\0"), library.path);
      }
    }
  }
}

function rulePaths(library: RegoModule): string[][] {
  return library.rules.map((rule) => [...library.packagePath, rule]);
}

/**
 * The libraries a module uses, directly or through other libraries: those
 * whose package one of its `data` references leads into or out of.
 */
export function librariesUsedBy(
  module: RegoModule,
  libraries: readonly RegoModule[],
): RegoModule[] {
  const used = new Set<RegoModule>();
  const pending = [module];
  while (pending.length > 0) {
    const user = pending.pop()!;
    for (const library of libraries) {
      if (used.has(library)) continue;
      if (user.dataRefs.some((ref) => relation(ref, library.packagePath))) {
        used.add(library);
        pending.push(library);
      }
    }
  }
  return libraries.filter((library) => used.has(library));
}

type Relation = "equal" | "contains" | "inside";

const VERBS: Record<Relation, string> = {
  equal: "is",
  contains: "contains",
  inside: "lies inside",
};

/** How path `a` stands to path `b`, if one holds the other. */
function relation(
  a: readonly string[],
  b: readonly string[],
): Relation | undefined {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) if (a[i] !== b[i]) return undefined;
  if (a.length === b.length) return "equal";
  return a.length < b.length ? "contains" : "inside";
}

/** Says how `module`'s package clashes with the signature `owner`'s. */
function claimed(module: RegoModule, owner: RegoModule): string {
  const how = relation(module.packagePath, owner.packagePath)!;
  return how === "equal"
    ? `is already the package of ${owner.path}`
    : `${VERBS[how]} the package of ${owner.path} (${name(owner)})`;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return relation(a, b) === "equal";
}

function name(module: RegoModule): string {
  return printableAscii(module.packagePath.join("."));
}
