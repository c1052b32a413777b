/**
 * The config file (`--config vigil.yaml`, YAML or JSON): a map from option
 * names, as the long flags spell them without `--`, to their values. A key
 * means what its flag means, given once per value (`signatures-dir: [a, b]`
 * is `-s a -s b`; `stats: true` is `--stats`): each value goes through the
 * option's own parser, so the file and the flags cannot disagree. A flag on
 * the command line overrides its key. The keys accepted are read from the
 * program's options, so an option added to the program is a key at once;
 * an unknown key is an error naming it.
 *
 * @module
 */

import type { Command, Option } from "commander";
import { UsageError } from "./program.ts";
import { readSettingsFile } from "./settings_file.ts";

/** The option that names the config file, which the file cannot set. */
const CONFIG_KEY = "config";

/** Commander's commands are event emitters; a flag is an `option:` event. */
interface OptionEvents {
  emit(event: string, value: string | undefined): boolean;
}

/** The key of an option in a config file: its long flag without `--`. */
export function configKey(option: Option): string | undefined {
  return option.long?.replace(/^--/, "");
}

/** Every key a config file may hold: the options of every command. */
export function configKeys(command: Command): Set<string> {
  let root = command;
  while (root.parent) root = root.parent;
  const keys = new Set<string>();
  for (const each of [root, ...root.commands]) {
    for (const option of each.options) {
      const key = configKey(option);
      if (key !== undefined && key !== CONFIG_KEY) keys.add(key);
    }
  }
  return keys;
}

/**
 * Makes `program` and its commands read `--config` before their action runs.
 */
export function readConfigBeforeAction<T extends Command>(program: T): T {
  program.hook("preAction", (_, action) => applyConfigFile(action));
  return program;
}

/**
 * Applies the config file named by `command`'s `--config` to the options
 * the command line left unset, as if their flags were given. Keys of other
 * commands' options are accepted and left to them.
 *
 * @throws {UsageError} When the file cannot be read, is not a map, holds an
 * unknown key, or a value of the wrong kind.
 */
export async function applyConfigFile(command: Command): Promise<void> {
  // `vigil --config f list`: the program took the option before the command.
  const path = (command.getOptionValue(CONFIG_KEY) ??
    command.parent?.getOptionValue(CONFIG_KEY)) as string | undefined;
  if (path === undefined) return;
  const settings = await readSettingsFile(path, "config file");
  const fail = (message: string) =>
    new UsageError(`Cannot use config file "${path}": ${message}`);
  if (settings === null) return;
  if (typeof settings !== "object" || Array.isArray(settings)) {
    throw fail("it must be a map of option names to values");
  }
  const known = configKeys(command);
  const options = new Map(
    command.options.map((option) => [configKey(option), option]),
  );
  const entries = Object.entries(settings);
  for (const [key] of entries) {
    if (!known.has(key)) {
      throw fail(
        `unknown key "${key}" (keys are the long options without "--": ${
          [...known].join(", ")
        })`,
      );
    }
  }
  // Which options the command line set, before any key sets one.
  const given = entries.filter(([key]) => {
    const option = options.get(key);
    return option !== undefined &&
      command.getOptionValueSource(option.attributeName()) !== "cli";
  });
  for (const [key, value] of given) {
    const option = options.get(key)!;
    for (const flag of flagValues(option, value, key)) {
      // What commander does for a flag on the command line.
      (command as unknown as OptionEvents).emit(
        `option:${option.name()}`,
        flag,
      );
    }
  }

  function flagValues(
    option: Option,
    value: unknown,
    key: string,
  ): (string | undefined)[] {
    if (option.isBoolean()) {
      if (typeof value !== "boolean") {
        throw fail(`"${key}" must be true or false`);
      }
      return value ? [undefined] : [];
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw fail(`"${key}" is an empty list`);
    return values.map((item) => {
      if (typeof item === "string") return item;
      if (typeof item === "number" && Number.isFinite(item)) {
        return String(item);
      }
      throw fail(`"${key}" must be a text or a number, or a list of them`);
    });
  }
}
