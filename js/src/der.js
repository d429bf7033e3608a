// A minimal DER writer and reader: just what PKCS#10, PKCS#8 and X.509 public keys need.
// Lengths are always definite and minimal; the reader refuses anything else.

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
};

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeLength(n) {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag, contents) {
  return concat(Uint8Array.of(tag), encodeLength(contents.length), contents);
}

export const sequence = (...items) => tlv(TAG.SEQUENCE, concat(...items));
export const set = (...items) => tlv(TAG.SET, concat(...items));
export const octetString = (bytes) => tlv(TAG.OCTET_STRING, bytes);
export const bitString = (bytes) => tlv(TAG.BIT_STRING, concat(Uint8Array.of(0), bytes));
export const utf8String = (text) => tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));
export const nullValue = () => Uint8Array.of(TAG.NULL, 0);
/** A context-specific constructed tag [n], explicit or (for SETs) implicit. */
export const context = (n, ...items) => tlv(0xa0 | n, concat(...items));

/** A non-negative INTEGER from big-endian bytes, or from a JS number. */
export function integer(value) {
  let bytes;
  if (typeof value === "number") {
    const list = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) list.unshift(v & 0xff);
    bytes = Uint8Array.from(list.length ? list : [0]);
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  bytes = bytes.subarray(start);
  if (bytes[0] & 0x80) bytes = concat(Uint8Array.of(0), bytes);
  return tlv(TAG.INTEGER, bytes);
}

export function oid(dotted) {
  const arcs = dotted.split(".").map((a) => BigInt(a));
  const out = [];
  const push = (arc) => {
    const chunk = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  };
  push(arcs[0] * 40n + arcs[1]);
  arcs.slice(2).forEach(push);
  return tlv(TAG.OID, Uint8Array.from(out));
}

export function oidText(contents) {
  const arcs = [];
  let v = 0n;
  for (const b of contents) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift();
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].map(String).join(".");
}

/** Read one DER element at `offset`: {tag, contents, end, children()}. */
export function read(bytes, offset = 0) {
  if (offset + 2 > bytes.length) throw new Error("DER: truncated");
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let at = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error("DER: unsupported length");
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + bytes[at + i];
    if (length < 0x80 || bytes[at] === 0) throw new Error("DER: non-minimal length");
    at += count;
  }
  const end = at + length;
  if (end > bytes.length) throw new Error("DER: truncated");
  const contents = bytes.subarray(at, end);
  return {
    tag,
    contents,
    end,
    children() {
      const items = [];
      for (let pos = 0; pos < contents.length; ) {
        const item = read(contents, pos);
        items.push(item);
        pos = item.end;
      }
      return items;
    },
  };
}

/** The single top-level element of `bytes`; trailing data is an error. */
export function parse(bytes) {
  const top = read(bytes, 0);
  if (top.end !== bytes.length) throw new Error("DER: trailing data");
  return top;
}

export function expect(element, tag, what) {
  if (element === undefined || element.tag !== tag) throw new Error(`DER: expected ${what}`);
  return element;
}
