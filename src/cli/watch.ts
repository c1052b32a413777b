/**
 * `--watch`: a reload once the signature directories (or the exceptions
 * file) stop changing for a moment. An editor's save is several file system
 * events (a temporary file, a rename, an attribute change), a `git checkout`
 * hundreds: they are gathered into one reload.
 *
 * @module
 */

/** How long the files must be still before a reload. */
export const WATCH_DEBOUNCE_MS = 300;

/** Options of {@linkcode watchFiles}. */
export interface WatchOptions {
  /** Directories watched recursively. */
  dirs: readonly string[];
  /** Files watched besides (through their directory, which editors replace them in). */
  files?: readonly string[];
  /** Called once per quiet period after a relevant change. */
  onChange: () => void;
  onError: (message: string) => void;
  /** @default {WATCH_DEBOUNCE_MS} */
  debounceMs?: number;
}

/** Whether a changed path is a signature source or library. */
function isSignatureSource(path: string): boolean {
  return path.endsWith(".rego") || path.endsWith(".ts");
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? (slash === 0 ? "/" : ".") : path.slice(0, slash);
}

/**
 * Watches `dirs` and `files`; calls `onChange` once the changes to
 * signature sources (`.rego`, `.ts`) or to `files` have stopped for
 * `debounceMs`. Dispose to stop.
 */
export function watchFiles(options: WatchOptions): Disposable {
  // A path that cannot be resolved (one that does not exist, which loading
  // reports) is kept as given.
  const real = (path: string) => {
    try {
      return Deno.realPathSync(path);
    } catch {
      return path;
    }
  };
  const files = new Set((options.files ?? []).map(real));
  const dirs = options.dirs.map(real);
  const paths = [...new Set([...dirs, ...[...files].map(parentOf)])].filter(
    (path) => {
      try {
        return Deno.statSync(path).isDirectory;
      } catch {
        options.onError(`Cannot watch "${path}": it is not a directory`);
        return false;
      }
    },
  );
  if (paths.length === 0) return { [Symbol.dispose]() {} };
  const watcher = Deno.watchFs(paths, { recursive: true });
  const relevant = (path: string) =>
    files.has(path) ||
    (isSignatureSource(path) &&
      dirs.some((dir) => path.startsWith(`${dir}/`)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounceMs = options.debounceMs ?? WATCH_DEBOUNCE_MS;
  (async () => {
    for await (const event of watcher) {
      if (event.kind === "access" || !event.paths.some(relevant)) continue;
      clearTimeout(timer);
      timer = setTimeout(options.onChange, debounceMs);
    }
  })().catch((error) =>
    options.onError(`Cannot watch the signatures: ${error}`)
  );
  return {
    [Symbol.dispose]() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
