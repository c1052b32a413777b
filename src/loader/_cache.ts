/**
 * What the compile caches (Rego wasm, compiled TypeScript) share: content
 * hashes for their keys and atomic writes of their entries.
 *
 * @module
 */

/** The SHA-256 of `text` (UTF-8), as 64 hex digits. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/**
 * Writes a cache entry through a temporary file and a rename, so that a
 * concurrent reader sees the whole entry or none; creates the directory.
 */
export async function writeCacheEntry(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  if (typeof data === "string") await Deno.writeTextFile(temp, data);
  else await Deno.writeFile(temp, data);
  await Deno.rename(temp, path);
}
