/**
 * `text` made safe for a one-line log message: at most 80 characters, and
 * every character outside printable ASCII written as `\uXXXX`, so that a
 * look-alike shows what it is and a newline cannot start a forged line.
 */
export function printable(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return clipped.replace(
    NOT_PRINTABLE_ASCII_REGEXP,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const NOT_PRINTABLE_ASCII_REGEXP = /[^\x20-\x7e]/g;
