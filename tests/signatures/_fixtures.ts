/**
 * The event fixtures of the built-in signatures and what each must trigger
 * (tests/fixtures/events/expected.json and expected_data.json).
 *
 * @module
 */

import { ROOT } from "../_helpers/replay.ts";

/** The directory of the fixture streams. */
export const FIXTURES = `${ROOT}tests/fixtures/events`;

/** One expected finding: the signature id and its data (`true`: none). */
export interface ExpectedFinding {
  id: string;
  data: Record<string, unknown> | true;
}

/** `{"<file>": {"<signature id>": <count>}}`. */
export const EXPECTED_COUNTS = JSON.parse(
  await Deno.readTextFile(`${FIXTURES}/expected.json`),
) as Record<string, Record<string, number>>;

/** `{"<file>": [{id, data}]}`, in stream order. */
export const EXPECTED_FINDINGS = JSON.parse(
  await Deno.readTextFile(`${FIXTURES}/expected_data.json`),
) as Record<string, ExpectedFinding[]>;

/** The lines of a fixture stream. */
export async function fixtureLines(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${FIXTURES}/${file}`);
  return text.split("\n").filter((line) => line !== "");
}
