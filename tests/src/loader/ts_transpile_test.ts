import assert from "node:assert/strict";
import fc from "fast-check";
import { transpileSignature } from "../../../src/loader/_ts_transpile.ts";
import { SDK_SPECIFIER } from "../../../src/sdk/_specifier.ts";
import { SignatureError } from "../../../src/errors.ts";
import { checkProperty } from "../../_helpers/property.ts";

const BODY = `
export const metadata = { id: "T-1", eventName: "t_one" };
export const selectedEvents = [{ source: "tracee", name: "openat" }];
export const onEvent = () => {};
`;

function refusal(source: string): string {
  try {
    transpileSignature(source, "sig.ts");
  } catch (error) {
    assert.ok(error instanceof SignatureError, String(error));
    return error.message;
  }
  assert.fail(`accepted: ${source}`);
}

Deno.test("transpileSignature() lets a signature import the SDK's values by the package's name", () => {
  for (
    const line of [
      `import { argumentValue, type OnEvent } from "@vigil/sensor/sdk";`,
      `import * as sdk from "@vigil/sensor/sdk"; const f = sdk.argumentValue;`,
      `import "@vigil/sensor/sdk";`,
    ]
  ) {
    const code = transpileSignature(
      `${line}\nvoid argumentValue;${BODY}`,
      "s.ts",
    );
    assert.match(code, /require\('@vigil\/sensor\/sdk'\)/, line);
    assert.doesNotMatch(code, /\bimport\b/, line);
  }
});

Deno.test("transpileSignature() removes type imports from any module", () => {
  const code = transpileSignature(
    `import type { OnEvent } from "../../src/sdk/mod.ts";
import { type Report } from "/etc/passwd";
const f: OnEvent = (_e, r: Report) => r();${BODY}`,
    "s.ts",
  );
  assert.doesNotMatch(code, /require|passwd|mod\.ts/);
});

Deno.test("transpileSignature() refuses value imports of any other module, and every dynamic form", () => {
  for (
    const source of [
      `import { readFileSync } from "node:fs"; readFileSync;`,
      `import x from "@vigil/sensor/sdk/../../../etc/passwd"; x;`,
      `import x from "@vigil/sensor/sdk/"; x;`,
      `import x from "@vigil/sensor/sdk#"; x;`,
      `import x from "@vigil/sensor/SDK"; x;`,
      `import x from " @vigil/sensor/sdk"; x;`,
      `import x from "@vigil/sensor"; x;`,
      `import x from "npm:@vigil/sensor/sdk"; x;`,
      `import x from "jsr:@vigil/sensor/sdk"; x;`,
      `import x from "file:///work/src/sdk/mod.ts"; x;`,
      `import { argumentValue } from "../../src/sdk/mod.ts"; argumentValue;`,
      `import "./other.ts";`,
      `import config from "@vigil/sensor/sdk" with { type: "json" }; config;`,
      `export * from "@vigil/sensor/sdk";`,
      `export { argumentValue } from "@vigil/sensor/sdk";`,
      `export * as sdk from "node:fs";`,
      `import fs = require("node:fs"); fs;`,
      `const sdk = require("@vigil/sensor/sdk");`,
      `const fs = require("node:fs");`,
      `const p = import("@vigil/sensor/sdk");`,
      `const p = import("file:///etc/passwd", { with: { type: "text" } });`,
      `const u = import.meta.url;`,
      `const r = import.meta.resolve("@vigil/sensor/sdk");`,
    ]
  ) {
    assert.match(
      refusal(`${source}${BODY}`),
      /line \d+: .*not allowed/,
      source,
    );
  }
});

Deno.test("transpileSignature() refuses a value import of any specifier but the SDK's", () => {
  checkProperty(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string().map((tail) => `${SDK_SPECIFIER}${tail}`),
        fc.string().map((head) => `${head}${SDK_SPECIFIER}`),
      ).filter((specifier) => specifier !== SDK_SPECIFIER),
      (specifier) => {
        refusal(`import x from ${JSON.stringify(specifier)}; x;${BODY}`);
      },
    ),
  );
});
