// Reads every .arrow file in a directory with apache-arrow (JS) and prints, as JSON, each table's row count,
// column names and its first row, so a Java test can compare them with what ckpt wrote.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const dir = process.argv[2];
const out = {};
for (const f of readdirSync(dir).filter((n) => n.endsWith('.arrow')).sort()) {
  const t = tableFromIPC(readFileSync(join(dir, f)));
  const first = t.numRows > 0 ? t.get(0).toJSON() : null;
  for (const k of Object.keys(first ?? {})) {
    const v = first[k];
    if (typeof v === 'bigint') first[k] = v.toString();
    else if (v && typeof v.toArray === 'function') first[k] = Array.from(v.toArray(), (x) => (typeof x === 'bigint' ? x.toString() : x));
    else if (v instanceof Uint8Array) first[k] = v.length;
  }
  out[f.replace(/\.arrow$/, '')] = {
    rows: t.numRows,
    columns: t.schema.fields.map((x) => x.name),
    table: t.schema.metadata.get('ckpt.table') ?? null,
    first,
  };
}
console.log(JSON.stringify(out));
