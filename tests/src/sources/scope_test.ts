import assert from "node:assert/strict";
import fc from "fast-check";
import {
  parseScope,
  type ScopeContext,
  type ScopeDetails,
} from "../../../src/sources/scope.ts";
import { checkProperty } from "../../_helpers/property.ts";

const CONTEXT: ScopeContext = {
  containerId: "3f2a",
  processName: "nginx",
  userId: 33,
  hostProcessId: 4242,
};
const DETAILS: ScopeDetails = {
  containerId: "3f2a",
  container: { id: "3f2a", name: "web", image: "docker.io/library/nginx:1.27" },
  kubernetes: { podName: "web-0", podNamespace: "prod" },
};

Deno.test("parseScope() of nothing is every event's scope", () => {
  const scope = parseScope([]);
  assert.equal(scope.all, true);
  assert.equal(scope.matchesContext(CONTEXT), true);
  assert.equal(
    scope.matchesDetails({ containerId: "", container: {}, kubernetes: {} }),
    true,
  );
});

Deno.test("parseScope() reads container, not-container and each field's = and != filters", () => {
  const passes = (filters: string[]) => {
    const scope = parseScope(filters);
    return scope.matchesContext(CONTEXT) && scope.matchesDetails(DETAILS);
  };
  assert.equal(passes(["container"]), true);
  assert.equal(passes(["not-container"]), false);
  assert.equal(
    parseScope(["not-container"]).matchesContext({
      ...CONTEXT,
      containerId: "",
    }),
    true,
  );
  assert.equal(passes(["comm=nginx"]), true);
  assert.equal(passes(["comm=bash,sh"]), false);
  assert.equal(passes(["comm!=nginx"]), false);
  assert.equal(passes(["comm=ngi*"]), true);
  assert.equal(passes(["uid=0"]), false);
  assert.equal(passes(["uid=0,33"]), true);
  assert.equal(passes(["uid!=0"]), true);
  assert.equal(passes(["pid=4242"]), true);
  assert.equal(passes(["container.id=3f2a"]), true);
  assert.equal(passes(["container.image=docker.io/library/nginx:*"]), true);
  assert.equal(passes(["container.image=nginx"]), false);
  assert.equal(passes(["k8s.ns=prod"]), true);
  assert.equal(passes(["k8s.ns!=prod"]), false);
  assert.equal(passes(["k8s.pod=web-*"]), true);
});

Deno.test("parseScope() ORs the values of one field and ANDs the fields", () => {
  const scope = parseScope(["comm=bash", "comm=nginx", "uid=0"]);
  assert.deepEqual(scope.filters, [
    { field: "comm", include: ["bash", "nginx"], exclude: [] },
    { field: "uid", include: [0], exclude: [] },
  ]);
  assert.equal(scope.matchesContext(CONTEXT), false);
  assert.equal(scope.matchesContext({ ...CONTEXT, userId: 0 }), true);
  assert.equal(
    parseScope(["comm!=bash", "comm!=nginx"]).matchesContext(CONTEXT),
    false,
  );
});

Deno.test("a scope on the runtime's fields passes a container whose details are unknown, not the host", () => {
  const scope = parseScope(["k8s.ns=prod"]);
  const idOnly = {
    containerId: "3f2a",
    container: { id: "3f2a" },
    kubernetes: {},
  };
  assert.equal(scope.matchesDetails(idOnly), true);
  assert.equal(
    scope.matchesDetails({ containerId: "", container: {}, kubernetes: {} }),
    false,
  );
  assert.equal(
    scope.matchesDetails({
      ...DETAILS,
      kubernetes: { podNamespace: "dev" },
    }),
    false,
  );
});

Deno.test("parseScope() says which filters wait for the runtime's fields", () => {
  assert.equal(parseScope(["comm=a", "uid=1"]).readsDetails, false);
  assert.equal(parseScope(["k8s.ns=prod"]).readsDetails, true);
  assert.equal(parseScope(["container"]).byOriginOnly, true);
  assert.equal(parseScope(["container", "uid=0"]).byOriginOnly, false);
  assert.equal(parseScope(["container"]).matchesOrigin("container-init"), true);
  assert.equal(parseScope(["not-container"]).matchesOrigin("host"), true);
});

Deno.test("parseScope() rejects bad filters with a message naming them", () => {
  const cases: [string[], RegExp][] = [
    [["bogus"], /Cannot use --scope "bogus": expected container/],
    [["color=red"], /unknown field "color"/],
    [["uid=-1"], /uid takes whole numbers/],
    [["uid=4294967296"], /uid takes whole numbers/],
    [["pid=1e3"], /pid takes whole numbers/],
    [["comm="], /a value is empty/],
    [["comm=a,,b"], /a value is empty/],
    [["comm=a-very-long-command-name"], /at most 15 characters/],
    [["container", "not-container"], /exclude each other/],
    [["k8s.ns=" + "x".repeat(5000)], /longer than 4096/],
  ];
  for (const [filters, message] of cases) {
    assert.throws(() => parseScope(filters), RangeError);
    assert.throws(() => parseScope(filters), message, filters.join(" "));
  }
});

Deno.test("parseScope() never throws anything but RangeError, and a parsed scope decides any context", () => {
  checkProperty(
    fc.property(
      fc.array(fc.string({ maxLength: 40 }), { maxLength: 4 }),
      fc.record({
        containerId: fc.string(),
        processName: fc.string(),
        userId: fc.nat(),
        hostProcessId: fc.nat(),
      }),
      (filters, context) => {
        try {
          const scope = parseScope(filters);
          assert.equal(typeof scope.matchesContext(context), "boolean");
        } catch (error) {
          assert.ok(error instanceof RangeError, String(error));
        }
      },
    ),
  );
});

Deno.test("a comm scope agrees with set membership for any names", () => {
  const name = fc.stringMatching(/^[a-z]{1,15}$/);
  checkProperty(
    fc.property(
      fc.array(name, { minLength: 1, maxLength: 5 }),
      fc.array(name, { maxLength: 5 }),
      name,
      (included, excluded, comm) => {
        const filters = [`comm=${included.join(",")}`];
        if (excluded.length > 0) filters.push(`comm!=${excluded.join(",")}`);
        const expected = included.includes(comm) && !excluded.includes(comm);
        assert.equal(
          parseScope(filters).matchesContext({
            ...CONTEXT,
            processName: comm,
          }),
          expected,
        );
      },
    ),
  );
});
