import assert from "node:assert/strict";
import fc from "fast-check";
import { type ExceptionRule, Exceptions } from "../../../src/engine/mod.ts";
import type { TraceeEvent } from "../../../src/event/mod.ts";
import { checkProperty } from "../../_helpers/property.ts";

function trigger(fields: {
  processName?: string;
  executable?: string;
  image?: string;
}): TraceeEvent {
  return {
    processName: fields.processName ?? "cat",
    executable: { path: fields.executable ?? "/usr/bin/cat" },
    container: fields.image === undefined ? {} : { image: fields.image },
  } as TraceeEvent;
}

const backup: ExceptionRule = {
  name: "backups",
  signature: "VGL-12",
  conditions: {
    "process.name": ["rsync", "borg"],
    "executable.path": ["/usr/bin/*"],
    "args.pathname": ["/etc/shadow"],
  },
};

Deno.test("Exceptions.suppresses() needs every condition, any pattern of each", () => {
  const exceptions = new Exceptions([backup]);
  const data = { pathname: "/etc/shadow" };
  const rsync = trigger({ processName: "rsync", executable: "/usr/bin/rsync" });
  assert.ok(exceptions.suppresses("VGL-12", { trigger: rsync, data }));
  assert.ok(
    !exceptions.suppresses("VGL-12", {
      trigger: trigger({ processName: "rsync", executable: "/tmp/rsync" }),
      data,
    }),
  );
  assert.ok(
    !exceptions.suppresses("VGL-12", {
      trigger: rsync,
      data: { pathname: "/etc/gshadow" },
    }),
  );
  assert.ok(!exceptions.suppresses("VGL-12", { trigger: rsync, data: true }));
  assert.ok(!exceptions.suppresses("VGL-1", { trigger: rsync, data }));
  assert.deepEqual([...exceptions.suppressed], [["VGL-12", 1]]);
});

Deno.test("Exceptions.suppresses() tests the container image and list and number arguments by their text", () => {
  const exceptions = new Exceptions([{
    name: "ci",
    signature: "S",
    conditions: {
      "container.image": ["registry.local/ci/*"],
      "args.argv": ["make"],
      "args.flags": ["0"],
    },
  }]);
  const data = { argv: ["/bin/sh", "make"], flags: 0 };
  assert.ok(
    exceptions.suppresses("S", {
      trigger: trigger({ image: "registry.local/ci/runner:1" }),
      data,
    }),
  );
  assert.ok(
    !exceptions.suppresses("S", { trigger: trigger({}), data }),
    "no image",
  );
  assert.ok(
    !exceptions.suppresses("S", {
      trigger: trigger({ image: "registry.local/ci/runner:1" }),
      data: { argv: [["make"]], flags: 0 },
    }),
    "nested lists are not searched",
  );
});

Deno.test("Exceptions.replace() swaps the rules and keeps the counts", () => {
  const exceptions = new Exceptions([backup]);
  const rsync = trigger({ processName: "rsync", executable: "/usr/bin/rsync" });
  const data = { pathname: "/etc/shadow" };
  exceptions.suppresses("VGL-12", { trigger: rsync, data });
  exceptions.replace([]);
  assert.ok(!exceptions.suppresses("VGL-12", { trigger: rsync, data }));
  assert.equal(exceptions.suppressed.get("VGL-12"), 1);
  assert.equal(exceptions.total, 1);
});

Deno.test("Exceptions never match through the prototype of the finding's data", () => {
  const exceptions = new Exceptions([{
    name: "proto",
    signature: "S",
    conditions: { "args.toString": ["*"] },
  }]);
  assert.ok(!exceptions.suppresses("S", { trigger: trigger({}), data: {} }));
});

Deno.test("a pattern without a star matches exactly, with stars as a glob (property)", () => {
  checkProperty(
    fc.property(
      fc.string({ maxLength: 8 }),
      fc.string({ maxLength: 8 }),
      fc.string({ maxLength: 8 }),
      (prefix, middle, suffix) => {
        const name = `${prefix}${middle}${suffix}`.replaceAll("*", "");
        const p = prefix.replaceAll("*", "");
        const s = suffix.replaceAll("*", "");
        const exact = new Exceptions([{
          name: "x",
          signature: "S",
          conditions: { "process.name": [name] },
        }]);
        const glob = new Exceptions([{
          name: "x",
          signature: "S",
          conditions: { "process.name": [`${p}*${s}`] },
        }]);
        const facts = (processName: string) => ({
          trigger: trigger({ processName }),
          data: true as const,
        });
        assert.ok(exact.suppresses("S", facts(name)));
        assert.equal(exact.suppresses("S", facts(`${name}x`)), false);
        assert.equal(
          glob.suppresses("S", facts(name)),
          name.startsWith(p) && name.endsWith(s) &&
            name.length >= p.length + s.length,
        );
      },
    ),
  );
});
