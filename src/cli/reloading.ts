/**
 * Wires reloads into a run: `SIGHUP` and `--watch` reload the signatures
 * and the exceptions file, and each reload is reported in the log.
 *
 * @module
 */

import type { Engine, Exceptions } from "../engine/mod.ts";
import type { ArgumentGate } from "../sources/mod.ts";
import { log } from "../log.ts";
import { readExceptionsFile } from "./exceptions_file.ts";
import {
  type FollowingGates,
  type LoadSignatureSet,
  Reloader,
} from "./reload.ts";
import type { SignatureSet } from "./start.ts";
import { watchFiles } from "./watch.ts";

/** Options of {@linkcode startReloading}. */
export interface ReloadingOptions {
  engine: Engine;
  initial: SignatureSet;
  load: LoadSignatureSet;
  print: (set: SignatureSet) => ReadonlySet<string>;
  /** The signature directories, watched with `watch`. */
  dirs: readonly string[];
  watch: boolean;
  /** The exceptions in force, and the file they are reread from. */
  exceptions: { path: string | undefined; filter: Exceptions };
  /** With a live source: its gates to refresh after each swap. */
  gates?: FollowingGates;
  /** With a live source: it, to exclude new sandboxes, and what it traces. */
  kernel?: TracedKernel;
  /** Called with each new set before the engine uses it. */
  onStart?: (set: SignatureSet) => void;
  /** A reload was asked for before this started. */
  pending?: boolean;
}

/** The live source: the events it traces, all it could, its exclusions. */
export interface TracedKernel {
  source: {
    excludePid(pid: number): void;
    refilter(gate: (eventName: string) => ArgumentGate | undefined): void;
  };
  traced: ReadonlySet<string>;
  all: readonly string[];
}

/** What {@linkcode startReloading} started; dispose to stop it. */
export interface Reloading extends AsyncDisposable {
  reloader: Reloader;
}

/**
 * Takes `SIGHUP` from the start of a run, before reloads can be served:
 * unheld, the signal's default action would end the process (and systemd
 * does not restart a service that a SIGHUP ended). Dispose once
 * {@linkcode startReloading} answers it; `asked` says whether one came.
 */
export function holdHangups(): Disposable & { readonly asked: boolean } {
  let asked = false;
  const onHangup = () => {
    asked = true;
  };
  Deno.addSignalListener("SIGHUP", onHangup);
  return {
    get asked() {
      return asked;
    },
    [Symbol.dispose]() {
      Deno.removeSignalListener("SIGHUP", onHangup);
    },
  };
}

/**
 * Starts answering `SIGHUP` (and, with `watch`, file changes) with reloads;
 * with `pending`, reloads at once (a SIGHUP came while the run started).
 */
export function startReloading(options: ReloadingOptions): Reloading {
  const logger = log("reload");
  const { engine, exceptions, gates, kernel } = options;
  const { path } = exceptions;
  const reloader = new Reloader({
    engine,
    initial: options.initial,
    load: options.load,
    print: options.print,
    onStart: (set) => {
      options.onStart?.(set);
      if (kernel) set.sandbox.onSpawn((pid) => kernel.source.excludePid(pid));
    },
    ...(path === undefined ? {} : {
      also: async () => {
        exceptions.filter.replace(await readExceptionsFile(path));
      },
    }),
    onRouted: ({ set, kept }, previous) => {
      gates?.refresh();
      kernel?.source.refilter((name) => engine.gate(name));
      warnUnmatchedExceptions(exceptions.filter, set);
      for (const error of kept) {
        logger.error(
          `${error.message}; its previous version keeps running`,
        );
      }
      for (const error of set.errors) logger.error(error.message);
      logger.info(describeChange(previous, set));
      const untraced = kernel?.all.filter((name) =>
        !kernel.traced.has(name) && engine.wants(name)
      ) ?? [];
      if (untraced.length > 0) {
        logger.warn(
          `The signatures now select ${
            untraced.join(", ")
          }, which this run does not trace: restart Vigil to trace them`,
        );
      }
    },
    onError: (message) =>
      logger.error(message),
  });
  const onHangup = () => void reloader.request();
  Deno.addSignalListener("SIGHUP", onHangup);
  if (options.pending) onHangup();
  const watcher = options.watch
    ? watchFiles({
      dirs: options.dirs,
      ...(path === undefined ? {} : { files: [path] }),
      onChange: () => void reloader.request(),
      onError: (message) => logger.error(message),
    })
    : undefined;
  return {
    reloader,
    async [Symbol.asyncDispose]() {
      Deno.removeSignalListener("SIGHUP", onHangup);
      watcher?.[Symbol.dispose]();
      await reloader.close();
    },
  };
}

/** Warns of exceptions naming no signature that runs (a typo silences nothing). */
export function warnUnmatchedExceptions(
  exceptions: Exceptions,
  set: SignatureSet,
): void {
  const ids = new Set(set.signatures.map((s) => s.metadata.id));
  const unmatched = [...exceptions.signatures].filter((id) => !ids.has(id));
  if (unmatched.length > 0) {
    log("exceptions").warn(
      `Exceptions name signatures that are not loaded: ${unmatched.join(", ")}`,
    );
  }
}

/** One line: how many signatures run now, and which were added or removed. */
function describeChange(before: SignatureSet, after: SignatureSet): string {
  const ids = (set: SignatureSet) =>
    new Set(set.signatures.map((s) => s.metadata.id));
  const old = ids(before);
  const now = ids(after);
  const added = [...now].filter((id) => !old.has(id));
  const removed = [...old].filter((id) => !now.has(id));
  return `Reloaded the signatures: ${now.size} running` +
    (added.length > 0 ? `; added ${added.join(", ")}` : "") +
    (removed.length > 0 ? `; removed ${removed.join(", ")}` : "");
}
