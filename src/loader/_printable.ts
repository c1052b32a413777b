/** The longest error message quoted from OPA or a compiler. */
export const MAX_ERROR_LENGTH = 1000;

/**
 * `text` made safe for a one-line log message: at most `max` characters, and
 * every character outside printable ASCII written as `\uXXXX`, so that a
 * look-alike shows what it is and a newline cannot start a forged line.
 * (The output's `printable` keeps text whole and escapes only control and
 * direction characters: it prints data, this quotes names in errors.)
 */
export function printableAscii(text: string, max = 80): string {
  const clipped = text.length > max ? `${text.slice(0, max)}...` : text;
  return clipped.replace(
    NOT_PRINTABLE_ASCII_REGEXP,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const NOT_PRINTABLE_ASCII_REGEXP = /[^\x20-\x7e]/g;

/**
 * Control and format characters (a newline, U+200B zero-width space, U+202E
 * right-to-left override): refused in names that are printed as they are.
 */
export const CONTROL_OR_FORMAT_REGEXP = /[\p{Cc}\p{Cf}]/u;
