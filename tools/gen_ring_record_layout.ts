/**
 * Generates ffi/ring_record_layout.ts from ffi/bpf/vigil_events.h: the
 * header's `#define VIGIL_*` numbers as `as const` objects, and the byte
 * offsets of its structs' fields, laid out as the C compiler lays them out
 * (natural alignment; the header has fixed-width fields and explicit
 * padding). `make -C ffi` runs it when the header changes; the generated file
 * is committed so that `deno check` works before the first build, and
 * tests/tools/gen_ring_record_layout_test.ts fails while it is stale.
 *
 * ```sh
 * deno run --allow-read=ffi --allow-write=ffi tools/gen_ring_record_layout.ts
 * ```
 *
 * @module
 */

/** A group of `#define VIGIL_<prefix>*` constants, as one object. */
interface DefineGroup {
  readonly prefix: string;
  readonly name: string;
  readonly doc: string;
  /** Defines with the prefix that belong elsewhere. */
  readonly except?: readonly string[];
}

/** A struct whose field offsets are exported. */
interface StructOffsets {
  readonly struct: string;
  readonly name: string;
}

const GROUPS: readonly DefineGroup[] = [
  {
    prefix: "KIND_",
    name: "RingRecordKind",
    doc: "what a ring record reports",
  },
  { prefix: "FLAG_", name: "RingRecordFlag", doc: "ring record header flags" },
  {
    prefix: "FIELD_",
    name: "FieldKind",
    doc: "kinds of the fields after the header",
  },
  { prefix: "SLOT_", name: "Slot", doc: "indexes of non-argument fields" },
  {
    prefix: "TASK_",
    name: "ForkTask",
    doc: "the tasks of a fork record",
    except: ["SIZE"],
  },
  {
    prefix: "ARG_",
    name: "ArgKind",
    doc: "how the kernel captures a syscall argument",
  },
  { prefix: "SYS_", name: "SysFlag", doc: "per-syscall flags of the config" },
  {
    prefix: "SCHED_",
    name: "SchedFlag",
    doc: "scheduler events of the config",
  },
  {
    prefix: "FEATURE_",
    name: "FeatureFlag",
    doc: "helpers the running kernel offers",
  },
  {
    prefix: "EXCLUDE_",
    name: "ExcludeMode",
    doc: "values of the `excluded` map",
  },
  {
    prefix: "FILTER_",
    name: "FilterFlag",
    doc: "argument filters of the config",
    except: ["KEY_MAX", "ENTRIES"],
  },
  {
    prefix: "SCOPE_",
    name: "ScopeFlag",
    doc: "scope filters of the config",
    except: ["ENTRIES"],
  },
  {
    prefix: "DROP_",
    name: "DropIndex",
    doc: "indexes of the `dropped` map",
  },
  {
    prefix: "PATH_",
    name: "PathIndex",
    doc: "bits of a path field's index",
    except: ["DEPTH"],
  },
];

const STRUCTS: readonly StructOffsets[] = [
  { struct: "vigil_header", name: "HeaderOffset" },
  { struct: "vigil_file", name: "FileOffset" },
  { struct: "vigil_task", name: "TaskOffset" },
  { struct: "vigil_config", name: "ConfigOffset" },
];

/** Sizes of the C types the header uses. */
const C_TYPE_SIZES: Readonly<Record<string, number>> = {
  "unsigned long long": 8,
  "long long": 8,
  "unsigned int": 4,
  "int": 4,
  "unsigned short": 2,
  "unsigned char": 1,
  "char": 1,
};

/** `#define VIGIL_<NAME> <number>`, with its trailing comment if any. */
const DEFINE_REGEXP =
  /^#define VIGIL_(\w+) (0x[0-9a-f]+|\d+)(?:[ \t]*\/\*[ \t]*(.*?)[ \t]*\*\/)?[ \t]*$/gm;
const STRUCT_REGEXP = /^struct (\w+) \{\n([\s\S]*?)^\};/gm;
const MEMBER_REGEXP = /^\s*([a-z ]+?) (\w+)((?:\[\w+\])*);/;

/** One `#define` of the header. */
export interface Define {
  readonly name: string;
  readonly text: string;
  readonly value: number;
  readonly comment?: string;
}

/** The header's `#define VIGIL_*` numbers, in order. */
export function readDefines(header: string): Define[] {
  return [...header.matchAll(DEFINE_REGEXP)].map((match) => ({
    name: match[1]!,
    text: match[2]!,
    value: Number(match[2]),
    ...(match[3] ? { comment: match[3] } : {}),
  }));
}

/** A struct's fields with their offsets, and its size. */
export interface StructLayout {
  readonly fields: readonly {
    readonly name: string;
    readonly offset: number;
  }[];
  readonly size: number;
}

/**
 * The layout of each struct of the header, as a C compiler makes it: each
 * field at the next multiple of its type's size, the struct's size a
 * multiple of its largest field's.
 *
 * @throws {SyntaxError} When a field's type or array length is unknown.
 */
export function layoutStructs(
  header: string,
  defines: readonly Define[],
): Map<string, StructLayout> {
  const numbers = new Map(defines.map((define) => [define.name, define.value]));
  const layouts = new Map<string, StructLayout>();
  for (const [, struct, body] of header.matchAll(STRUCT_REGEXP)) {
    const fields: { name: string; offset: number }[] = [];
    let offset = 0;
    let align = 1;
    for (const line of body!.split("\n")) {
      const member = MEMBER_REGEXP.exec(line);
      if (!member) continue;
      const [, type, name, dims] = member;
      const size = C_TYPE_SIZES[type!];
      if (size === undefined) {
        throw new SyntaxError(`Cannot lay out ${struct}.${name}: type ${type}`);
      }
      const count = [...dims!.matchAll(/\[(\w+)\]/g)].reduce((total, [, n]) => {
        const length = /^\d+$/.test(n!)
          ? Number(n)
          : numbers.get(n!.replace(/^VIGIL_/, ""));
        if (length === undefined) {
          throw new SyntaxError(`Cannot lay out ${struct}.${name}: [${n}]`);
        }
        return total * length;
      }, 1);
      offset = Math.ceil(offset / size) * size;
      fields.push({ name: name!, offset });
      offset += size * count;
      align = Math.max(align, size);
    }
    layouts.set(struct!, { fields, size: Math.ceil(offset / align) * align });
  }
  return layouts;
}

function pascalCase(name: string): string {
  return name.toLowerCase().replace(
    /(?:^|_)([a-z0-9])/g,
    (_, c: string) => c.toUpperCase(),
  );
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A member of a generated object: its key, value text and comment. */
interface Member {
  readonly key: string;
  readonly value: string;
  readonly comment?: string;
}

function constObject(name: string, doc: string, members: Member[]): string {
  const lines = members.map(({ key, value, comment }) =>
    (comment ? `  /** ${comment} */\n` : "") + `  ${key}: ${value},`
  );
  return `/** ${doc} */\nexport const ${name} = {\n${
    lines.join("\n")
  }\n} as const;\n`;
}

/** A closed set of values: the object and its union type. */
function valueSet(name: string, doc: string, members: Member[]): string {
  return `${
    constObject(name, doc, members)
  }\n/** One of {@linkcode ${name}}'s values. */\nexport type ${name} = typeof ${name}[keyof typeof ${name}];\n`;
}

function defineMember(key: string, define: Define): Member {
  return {
    key,
    value: define.text,
    ...(define.comment ? { comment: define.comment } : {}),
  };
}

/** The whole generated module for `header`. */
export function generateLayout(header: string): string {
  const defines = readDefines(header);
  const grouped = new Set<string>();
  const parts: string[] = [];
  for (const group of GROUPS) {
    const members = defines.filter((define) =>
      define.name.startsWith(group.prefix) &&
      !group.except?.includes(define.name.slice(group.prefix.length))
    );
    members.forEach((define) => grouped.add(define.name));
    parts.push(valueSet(
      group.name,
      `\`VIGIL_${group.prefix}*\`: ${group.doc}.`,
      members.map((define) =>
        defineMember(pascalCase(define.name.slice(group.prefix.length)), define)
      ),
    ));
  }
  const limits = defines.filter((define) => !grouped.has(define.name));
  parts.unshift(constObject(
    "Limits",
    "Sizes and limits (the other `#define VIGIL_*`).",
    limits.map((define) => defineMember(define.name, define)),
  ));
  const layouts = layoutStructs(header, defines);
  for (const { struct, name } of STRUCTS) {
    const layout = layouts.get(struct);
    if (!layout) throw new SyntaxError(`Cannot find struct ${struct}`);
    const size = limits.find((define) =>
      define.name === `${struct.replace(/^vigil_/, "").toUpperCase()}_SIZE`
    );
    if (size && size.value !== layout.size) {
      throw new RangeError(
        `Cannot lay out struct ${struct}: ${layout.size} bytes, not ${size.value}`,
      );
    }
    parts.push(constObject(
      name,
      `Byte offsets in \`struct ${struct}\`.`,
      layout.fields.filter((field) => !field.name.startsWith("pad")).map((
        field,
      ) => ({ key: camelCase(field.name), value: String(field.offset) })),
    ));
  }
  return `// Generated by tools/gen_ring_record_layout.ts from ffi/bpf/vigil_events.h: do not edit.
/**
 * The ring record layout of ffi/bpf/vigil_events.h, for the decoder and the
 * BPF configuration.
 *
 * @module
 */

${parts.join("\n")}`;
}

if (import.meta.main) {
  const ffi = new URL("../ffi/", import.meta.url);
  const header = await Deno.readTextFile(new URL("bpf/vigil_events.h", ffi));
  await Deno.writeTextFile(
    new URL("ring_record_layout.ts", ffi),
    generateLayout(header),
  );
}
