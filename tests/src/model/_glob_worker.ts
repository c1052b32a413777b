/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
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

self.onmessage = (event: MessageEvent<Job>) => {
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
  self.postMessage({ matched, runs });
};
