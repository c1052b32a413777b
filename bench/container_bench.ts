/**
 * What container details cost on the live path. Replayed events carry their
 * own `container` and `kubernetes` fields (Vigil looks nothing up for them),
 * so the cost is measured where it is paid: rings of openat records from
 * one container, decoded with each event's JSON written, with the details
 * from a real containerd (the bench's own, the container created there with
 * the kubelet's labels) against the same rings with the id only.
 * The difference is the per-event cost: the batch scan for events lacking
 * details, and the longer context JSON; the lookup itself happens once per
 * container and is timed on its own (a warm channel, the enricher's cache
 * bypassed). Needs root, BPF and containerd. Run alone with
 * `deno run -A bench/container_bench.ts`.
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";
import { compileLoadgen, drainRing, runLoad } from "./live_bench.ts";
import {
  type KernelSource,
  openKernelSource,
} from "../src/sources/kernel/source.ts";
import { ContainerdClient } from "../src/sources/container/mod.ts";
import { parseScope } from "../src/sources/scope.ts";
import { readCgroupHierarchy } from "../src/sources/kernel/cgroup_hierarchy.ts";
import { randomHex, startContainerd } from "../tests/_helpers/containerd.ts";

const SECTION = "containers";

/**
 * The best rate of each source over the same rings: the load generator
 * fills both sources' rings from inside the container's cgroup while
 * nobody reads, then each ring is drained in turn (the order alternating).
 * The first round warms the JIT up (and, with details, looks the container
 * up). Other processes' records are in the rings too; the scope keeps
 * their events from being built.
 */
async function pairedRates(
  sources: readonly [KernelSource, KernelSource],
  loadgen: string,
  cgroup: string,
): Promise<[number, number]> {
  const best: [number, number] = [0, 0];
  for (let round = 0; round < 4; round++) {
    await runLoad("sh", [
      "-c",
      `echo $$ > ${cgroup}/cgroup.procs && exec ${loadgen} open 1`,
    ], 1);
    for (const i of round % 2 ? [1, 0] : [0, 1]) {
      const rate = await drainRing(sources[i]!);
      if (round > 0) best[i] = Math.max(best[i]!, rate);
    }
  }
  return best;
}

/** Median time of one lookup of `id` over a warm channel, in ms. */
async function lookupMs(socket: string, id: string): Promise<number> {
  const client = new ContainerdClient({ socket });
  try {
    await client.lookup(id);
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await client.lookup(id);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[10]!;
  } finally {
    client.close();
  }
}

/** The rows: a container-heavy ring with and without details, and a lookup's time. */
export async function containerBench(): Promise<BenchRow[]> {
  const dir = Deno.makeTempDirSync({ prefix: "vigil-bench-" });
  const podUid = crypto.randomUUID();
  const id = randomHex(32);
  const pod = `${
    readCgroupHierarchy()!.mountPoint
  }/kubepods/besteffort/pod${podUid}`;
  try {
    const loadgen = compileLoadgen(dir);
    await using containerd = await startContainerd();
    await containerd.createContainer("k8s.io", id, {
      podUid,
      podName: "bench-0",
      podNamespace: "bench",
      containerName: "loadgen",
    });
    await Deno.mkdir(`${pod}/${id}`, { recursive: true });
    const open = (containerdSocket: string | false) =>
      openKernelSource({
        events: new Set(["openat"]),
        containerdSocket,
        scope: parseScope([`container.id=${id}`]),
      });
    const withDetails = await open(containerd.socket);
    const without = await open(false);
    let rates: [number, number];
    try {
      rates = await pairedRates(
        [withDetails, without],
        loadgen,
        `${pod}/${id}`,
      );
    } finally {
      await withDetails.close();
      await without.close();
    }
    return [
      {
        section: SECTION,
        name: "live: one container's full ring, with its details",
        value: Math.round(rates[0]),
        unit: "events/s",
        baseline: {
          name: "the same rings, the container id only",
          value: Math.round(rates[1]),
        },
      },
      {
        section: SECTION,
        name: "containerd lookup of a container (warm channel, median)",
        value: Math.round(await lookupMs(containerd.socket, id) * 100) / 100,
        unit: "ms",
      },
    ];
  } finally {
    await Deno.remove(`${pod}/${id}`).catch(() => {});
    await Deno.remove(pod).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const row of await containerBench()) console.log(row);
}
