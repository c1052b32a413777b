/**
 * A client of containerd's gRPC API on its unix socket, for the one question
 * the sensor asks: what is container `id` (its image, the image's digest,
 * its runtime and labels)? Containers live in containerd namespaces
 * (`k8s.io` for the kubelet's, `default` for `ctr`'s and nerdctl's): they
 * are asked in turn, `k8s.io` first, and listed again when none has the
 * container.
 *
 * The messages are the few of containerd's API that Vigil reads
 * (`proto/*.proto`), read by `@grpc/proto-loader`; calls go through one
 * `@grpc/grpc-js` channel with a deadline each. Both libraries are loaded
 * on the first lookup, so a run that sees no container never loads them:
 * loading takes 0.2-0.5 s of the JS thread here, which would otherwise
 * delay the first events of every live run.
 *
 * @module
 */

import type * as Grpc from "@grpc/grpc-js";
import type * as ProtoLoader from "@grpc/proto-loader";
import type { RuntimeContainer } from "./labels.ts";

/** The default path of containerd's socket. */
export const CONTAINERD_SOCKET = "/run/containerd/containerd.sock";

/** Raised when the runtime cannot be asked: socket absent, daemon down, a call timed out or was refused. */
export class RuntimeUnavailableError extends Error {
  /** @param message Why, e.g. the gRPC status's details. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeUnavailableError";
  }
}

/** What asks a container runtime about containers. */
export interface ContainerRuntimeClient {
  /** The runtime's name in logs, e.g. `containerd`. */
  readonly name: string;
  /**
   * What the runtime says of container `id`; `undefined` when it knows no
   * such container.
   *
   * @throws {RuntimeUnavailableError} When the runtime cannot be asked.
   */
  lookup(id: string): Promise<RuntimeContainer | undefined>;
  /** Closes the connection. Idempotent. */
  close(): void;
}

/** Options of {@linkcode ContainerdClient}. */
export interface ContainerdClientOptions {
  /**
   * containerd's socket.
   * @default {"/run/containerd/containerd.sock"}
   */
  socket?: string;
  /**
   * Deadline of each call, in milliseconds.
   * @default {2000}
   */
  timeoutMs?: number;
}

/** The namespace the kubelet's containers are in: asked first. */
const KUBERNETES_NAMESPACE = "k8s.io";
/**
 * Most namespaces asked about one container: a lookup costs a call per
 * namespace, and hosts have a handful (`k8s.io`, `default`, `moby`).
 */
const MAX_NAMESPACES = 64;
/** Most image digests kept, by namespace and image; emptied when full. */
const DIGESTS_MAX = 1024;

type Method = ProtoLoader.MethodDefinition<object, object>;

/** The three calls containerd answers. */
interface Methods {
  containers: Method;
  images: Method;
  namespaces: Method;
}

/** The gRPC library and the calls, loaded once. */
interface Libraries {
  grpc: typeof Grpc;
  methods: Methods;
}

/** Loads the libraries and the `.proto` files beside this module. */
async function loadLibraries(): Promise<Libraries> {
  const grpc = await import("@grpc/grpc-js");
  const protoLoader = await import("@grpc/proto-loader");
  const definition = protoLoader.loadSync(
    ["containers.proto", "images.proto", "namespaces.proto"],
    {
      includeDirs: [new URL("./proto/", import.meta.url).pathname],
      defaults: true,
    },
  );
  const method = (service: string, name: string) =>
    (definition[
      `containerd.services.${service}`
    ] as ProtoLoader.ServiceDefinition)[name] as Method;
  return {
    grpc,
    methods: {
      containers: method("containers.v1.Containers", "Get"),
      images: method("images.v1.Images", "Get"),
      namespaces: method("namespaces.v1.Namespaces", "List"),
    },
  };
}

interface ContainerMessage {
  container?: {
    id: string;
    labels: Record<string, string>;
    image: string;
    runtime?: { name: string };
  };
}

interface ImageMessage {
  image?: { target?: { digest: string } };
}

interface NamespacesMessage {
  namespaces: { name: string }[];
}

/** A {@linkcode ContainerRuntimeClient} of containerd. */
export class ContainerdClient implements ContainerRuntimeClient {
  readonly name = "containerd";
  readonly #socket: string;
  readonly #timeoutMs: number;
  #libraries: Promise<Libraries> | undefined;
  /** The channel; made anew after a failed call (see #call). */
  #client: Grpc.Client | undefined;
  #closed = false;
  /** The namespaces, as last listed. */
  #namespaces: string[] | undefined;
  readonly #digests = new Map<string, string>();

  /** A client of the daemon at `options.socket`; it connects on its first call. */
  constructor(options: ContainerdClientOptions = {}) {
    const { socket = CONTAINERD_SOCKET, timeoutMs = 2_000 } = options;
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
  }

  async lookup(id: string): Promise<RuntimeContainer | undefined> {
    const asked = new Set<string>();
    // The namespaces known, then, if none had it, those made since.
    for (const fresh of [false, true]) {
      if (fresh || this.#namespaces === undefined) {
        this.#namespaces = await this.#listNamespaces();
      }
      for (const namespace of this.#namespaces) {
        if (asked.has(namespace)) continue;
        asked.add(namespace);
        const found = await this.#container(namespace, id);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  /** Container `id` of `namespace`, if there is one. */
  async #container(
    namespace: string,
    id: string,
  ): Promise<RuntimeContainer | undefined> {
    const answer = await this.#call<ContainerMessage>(
      "containers",
      { id },
      namespace,
    );
    const container = answer?.container;
    if (container === undefined) return undefined;
    return {
      id: container.id,
      image: container.image,
      imageDigest: await this.#digest(namespace, container.image),
      runtime: container.runtime?.name ?? "",
      labels: container.labels,
    };
  }

  close(): void {
    this.#closed = true;
    this.#client?.close();
    this.#client = undefined;
  }

  /** The runtime's namespaces, `k8s.io` first. */
  async #listNamespaces(): Promise<string[]> {
    const answer = await this.#call<NamespacesMessage>(
      "namespaces",
      {},
      undefined,
    );
    return (answer?.namespaces ?? []).map((namespace) => namespace.name)
      .sort((a, b) =>
        Number(b === KUBERNETES_NAMESPACE) - Number(a === KUBERNETES_NAMESPACE)
      ).slice(0, MAX_NAMESPACES);
  }

  /** The digest of `image` in `namespace` ("" when unknown), cached. */
  async #digest(namespace: string, image: string): Promise<string> {
    if (image === "") return "";
    const key = `${namespace}\0${image}`;
    const known = this.#digests.get(key);
    if (known !== undefined) return known;
    const answer = await this.#call<ImageMessage>(
      "images",
      { name: image },
      namespace,
    );
    const digest = answer?.image?.target?.digest ?? "";
    if (this.#digests.size >= DIGESTS_MAX) this.#digests.clear();
    this.#digests.set(key, digest);
    return digest;
  }

  /**
   * One unary call; `undefined` for NOT_FOUND. A call that fails otherwise
   * closes the channel: the next call opens a new one at once, rather than
   * wait out gRPC's reconnection backoff (up to minutes) once the daemon
   * is back; the enricher paces the tries.
   */
  async #call<T>(
    name: keyof Methods,
    request: object,
    namespace: string | undefined,
  ): Promise<T | undefined> {
    const { grpc, methods } = await (this.#libraries ??= loadLibraries());
    if (this.#closed) throw new RuntimeUnavailableError("the client is closed");
    const client = this.#client ??= new grpc.Client(
      `unix://${this.#socket}`,
      grpc.credentials.createInsecure(),
      // A channel of its own: the shared pool would keep the backoff.
      { "grpc.use_local_subchannel_pool": 1 },
    );
    const method = methods[name];
    const metadata = new grpc.Metadata();
    if (namespace !== undefined) {
      metadata.set("containerd-namespace", namespace);
    }
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + this.#timeoutMs },
        (error, answer) => {
          if (!error) resolve(answer as T);
          else if (error.code === grpc.status.NOT_FOUND) resolve(undefined);
          else {
            if (this.#client === client) {
              client.close();
              this.#client = undefined;
            }
            reject(
              new RuntimeUnavailableError(
                `${method.path}: ${error.details || error.message}`,
                { cause: error },
              ),
            );
          }
        },
      );
    });
  }
}
