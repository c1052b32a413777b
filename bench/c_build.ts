/**
 * A real parallel C build for the live bench: `make -j2` compiling 150 small
 * generated C files with gcc in a temp dir, the kind of workload whose
 * slowdown a sensor should keep within a few percent (each compile execs,
 * forks, opens headers and writes objects).
 *
 * @module
 */

const FILES = 150;

/** Writes the sources and their Makefile into `dir`. */
function writeProject(dir: string): void {
  const objects: string[] = [];
  for (let i = 0; i < FILES; i++) {
    Deno.writeTextFileSync(
      `${dir}/unit${i}.c`,
      `#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\n\n` +
        `int unit${i}(const char *text)\n{\n` +
        `\tchar copy[64];\n\tstrncpy(copy, text, sizeof(copy) - 1);\n` +
        `\tcopy[sizeof(copy) - 1] = 0;\n` +
        `\treturn (int)strlen(copy) * ${i} + atoi(copy);\n}\n`,
    );
    objects.push(`unit${i}.o`);
  }
  Deno.writeTextFileSync(
    `${dir}/Makefile`,
    `OBJECTS := ${objects.join(" ")}\n\nall: $(OBJECTS)\n\n` +
      `%.o: %.c\n\tgcc -O1 -c $< -o $@\n\nclean:\n\trm -f $(OBJECTS)\n`,
  );
}

/**
 * A build to run again and again: each run cleans, then builds with
 * `make -j2`, and returns builds per minute (a build takes seconds).
 */
export function cBuild(dir: string): () => Promise<number> {
  writeProject(dir);
  return async () => {
    const make = (args: string[]) =>
      new Deno.Command("make", {
        args: ["-s", "-C", dir, ...args],
        stdout: "null",
        stderr: "piped",
      }).output();
    await make(["clean"]);
    const start = performance.now();
    const built = await make(["-j2", "all"]);
    if (!built.success) {
      throw new Error(
        `Cannot build the bench's C project: ${
          new TextDecoder().decode(built.stderr)
        }`,
      );
    }
    return 60_000 / (performance.now() - start);
  };
}
