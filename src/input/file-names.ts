/**
 * File names that are not UTF-8. On Linux a name is bytes, and a name from an old export or a zip
 * is often Latin-1 (`caf\xe9.json`). Node lists such a name with U+FFFD for each byte that is not
 * UTF-8, a name no file has: opened by it, the file "does not exist". So a name is held as text
 * the way Python's `surrogateescape` holds it, each such byte as the lone surrogate U+DC80–U+DCFF
 * (which no UTF-8 decodes to, so nothing else reads alike), and opened by its bytes.
 */
import { isUtf8 } from 'node:buffer';

/** A path Node's fs opens: text, or the bytes of a name that is not UTF-8. */
export type OpenablePath = string | Buffer;

/** The bytes that are not UTF-8, held in a name as lone surrogates (see `fileNameOf`). */
const escapedBytes = /([\udc80-\udcff]+)/u;

/** A file name's bytes as text: UTF-8 decoded, and each byte that is not part of a UTF-8 character as U+DC00 + the byte. */
export function fileNameOf(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString();
  let name = '';
  let text = 0;
  for (let at = 0; at < bytes.length; ) {
    // Hint: the shortest valid slice from here is the one character that starts here (UTF-8 is
    // prefix-free); none of up to 4 bytes is valid when this byte starts none.
    let length = 1;
    while (length <= 4 && !isUtf8(bytes.subarray(at, at + length))) length++;
    if (length <= 4 && at + length <= bytes.length) {
      at += length;
      continue;
    }
    name += `${bytes.toString('utf8', text, at)}${String.fromCharCode(0xdc00 + (bytes[at] as number))}`;
    at++;
    text = at;
  }
  return name + bytes.toString('utf8', text);
}

/** The path that opens the file named `name` (see `fileNameOf`): `name` itself, or its bytes when it holds a byte that is not UTF-8. */
export function openablePath(name: string): OpenablePath {
  if (!escapedBytes.test(name)) return name;
  const parts = name.split(escapedBytes);
  // Hint: split with a group: the odd parts are the runs of escaped bytes.
  return Buffer.concat(
    parts.map((part, index) =>
      index % 2 === 0
        ? Buffer.from(part)
        : Buffer.from([...part].map((char) => (char.codePointAt(0) as number) - 0xdc00)),
    ),
  );
}
