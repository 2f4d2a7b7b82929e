import fs from 'node:fs';

/** How much text is gathered before each write. */
const chunkChars = 1 << 16;

/**
 * Writes `JSON.stringify(value, null, 2)` and a newline to `file`, the same bytes, a piece
 * at a time: a day-long drill's summary.json is 32 MB, and building it as one string first
 * cost twice that in memory at the end of the re-render.
 */
export function writePrettyJson(file: string, value: unknown): void {
  const fd = fs.openSync(file, 'w');
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length > 0) fs.writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
  };
  const emit = (text: string) => {
    pending.push(text);
    size += text.length;
    if (size >= chunkChars) flush();
  };
  try {
    if (!writeValue(value, '', '', emit)) emit('undefined');
    emit('\n');
    flush();
  } finally {
    fs.closeSync(fd);
  }
}

/** A value as JSON.stringify with an indent of 2 writes it at `indent`; false for what it leaves out (undefined). */
function writeValue(raw: unknown, key: string, indent: string, emit: (text: string) => void): boolean {
  const value = resolved(raw, key);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
  if (value === null || typeof value !== 'object') {
    emit(JSON.stringify(value));
    return true;
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      emit('[]');
      return true;
    }
    emit('[\n');
    for (let i = 0; i < value.length; i++) {
      emit(inner);
      if (!writeValue(value[i], String(i), inner, emit)) emit('null');
      emit(i < value.length - 1 ? ',\n' : '\n');
    }
    emit(indent + ']');
    return true;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((name) => {
    const member = resolved(record[name], name);
    return member !== undefined && typeof member !== 'function' && typeof member !== 'symbol';
  });
  if (keys.length === 0) {
    emit('{}');
    return true;
  }
  emit('{\n');
  keys.forEach((name, i) => {
    emit(`${inner}${JSON.stringify(name)}: `);
    writeValue(record[name], name, inner, emit);
    emit(i < keys.length - 1 ? ',\n' : '\n');
  });
  emit(indent + '}');
  return true;
}

/** What JSON.stringify serialises for a value: its toJSON's answer when it has one (a Date's ISO text). */
function resolved(value: unknown, key: string): unknown {
  const withToJson = value as { toJSON?: (key: string) => unknown } | null;
  return withToJson !== null && typeof withToJson === 'object' && typeof withToJson.toJSON === 'function'
    ? withToJson.toJSON(key)
    : value;
}
