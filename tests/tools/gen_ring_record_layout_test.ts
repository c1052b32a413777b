import assert from "node:assert/strict";
import {
  generateLayout,
  layoutStructs,
  readDefines,
} from "../../tools/gen_ring_record_layout.ts";

const FFI = new URL("../../ffi/", import.meta.url);
const HEADER = Deno.readTextFileSync(new URL("bpf/vigil_events.h", FFI));

Deno.test("ffi/ring_record_layout.ts is what the generator makes of vigil_events.h", () => {
  assert.equal(
    Deno.readTextFileSync(new URL("ring_record_layout.ts", FFI)),
    generateLayout(HEADER),
    "stale: run deno run --allow-read=ffi --allow-write=ffi tools/gen_ring_record_layout.ts",
  );
});

Deno.test("layoutStructs() gives every field the offset gcc gives it", async () => {
  const layouts = layoutStructs(HEADER, readDefines(HEADER));
  const prints = [...layouts].flatMap(([struct, layout]) => [
    ...layout.fields.map((field) =>
      `printf("${struct}.${field.name} %zu\\n", offsetof(struct ${struct}, ${field.name}));`
    ),
    `printf("${struct} %zu\\n", sizeof(struct ${struct}));`,
  ]);
  const dir = await Deno.makeTempDir({ prefix: "vigil-layout-" });
  try {
    await Deno.writeTextFile(
      `${dir}/offsets.c`,
      `#include <stddef.h>\n#include <stdio.h>\n#include "vigil_events.h"\nint main(void) {\n${
        prints.join("\n")
      }\nreturn 0;\n}\n`,
    );
    const gcc = await new Deno.Command("gcc", {
      args: [
        "-I",
        new URL("bpf", FFI).pathname,
        "-o",
        `${dir}/offsets`,
        `${dir}/offsets.c`,
      ],
    }).output();
    assert.ok(gcc.success, new TextDecoder().decode(gcc.stderr));
    const run = await new Deno.Command(`${dir}/offsets`).output();
    const expected = [...layouts].flatMap(([struct, layout]) => [
      ...layout.fields.map((field) =>
        `${struct}.${field.name} ${field.offset}`
      ),
      `${struct} ${layout.size}`,
    ]);
    assert.deepEqual(
      new TextDecoder().decode(run.stdout).trim().split("\n"),
      expected,
    );
    assert.ok(layouts.size >= 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateLayout() refuses a struct whose size is not its _SIZE define", () => {
  const wrong = HEADER.replace(
    "#define VIGIL_FILE_SIZE 32",
    "#define VIGIL_FILE_SIZE 40",
  );
  assert.notEqual(wrong, HEADER);
  assert.throws(
    () => generateLayout(wrong),
    (error: unknown) =>
      error instanceof RangeError && error.message.includes("vigil_file"),
  );
});

Deno.test("layoutStructs() refuses a field type it does not know", () => {
  assert.throws(
    () => layoutStructs("struct s {\n\tfloat x;\n};\n", []),
    (error: unknown) =>
      error instanceof SyntaxError && error.message.includes("s.x"),
  );
});
