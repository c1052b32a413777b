/**
 * Runs glob matches off the test's thread, so that a matcher that never
 * finishes can be stopped: counts the matches and the runs.
 */
import { GlobSet } from "../../../src/model/glob.ts";

interface Job {
  globs: string[];
  paths: string[];
  repeat: number;
}

/** This module's global scope: a worker's (typed as one without changing libs). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event: MessageEvent<Job>) => {
  const { globs, paths, repeat } = event.data;
  const sets = globs.map((glob) => new GlobSet([glob]));
  let matched = 0;
  let runs = 0;
  for (let i = 0; i < repeat; i++) {
    for (const set of sets) {
      for (const path of paths) {
        runs++;
        if (set.matches(path)) matched++;
      }
    }
  }
  scope.postMessage({ matched, runs });
};
