/**
 * The same string, stored flat. V8 builds long strings (JSON.stringify's output among them) as
 * ropes of many pieces, each with its own header; a string kept for long (a record of the
 * in-process decision log) is worth flattening once: converting it to a number makes V8 flatten it
 * in place (the conversion itself fails at once on a string that is not a number).
 */
export function flatString (text: string): string {
  Number(text)
  return text
}
