import assert from "node:assert/strict";
import {
  BpfError,
  errnoMessage,
  errnoName,
  KernelUnavailableError,
} from "../../ffi/errors.ts";

Deno.test("BpfError names the operation, its target and the errno", () => {
  const error = new BpfError("attach", "raw_tp/sys_enter", -1);
  assert.equal(
    error.message,
    'Cannot attach "raw_tp/sys_enter": permission denied',
  );
  assert.equal(error.name, "BpfError");
  assert.equal(error.errno, 1);
  assert.equal(error.code, "EPERM");
  assert.equal(error.operation, "attach");
  const detailed = new BpfError("load", "vigil.bpf.o", 13, {
    detail: "R1 invalid mem access",
  });
  assert.equal(
    detailed.message,
    'Cannot load "vigil.bpf.o": access denied\nR1 invalid mem access',
  );
});

Deno.test("errnoName() and errnoMessage() fall back to the number", () => {
  assert.equal(errnoName(-95), "EOPNOTSUPP");
  assert.equal(errnoMessage(7), "argument list too long");
  assert.equal(errnoName(4242), "errno 4242");
  assert.equal(errnoMessage(-4242), "errno 4242");
});

Deno.test("KernelUnavailableError keeps its one-line message", () => {
  const error = new KernelUnavailableError("Cannot trace the kernel: no BTF");
  assert.equal(error.name, "KernelUnavailableError");
  assert.equal(error.message, "Cannot trace the kernel: no BTF");
});
