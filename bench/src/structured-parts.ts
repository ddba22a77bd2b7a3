/**
 * `npx tsx bench/src/structured-parts.ts [MiB]`: the CPU a preview step spends reading a
 * structured statement of about MiB (20, the import limit) in each format, in this process, no
 * stack: the reader's `start`, its parts of the preview's 256 KiB (the longest one is what a step
 * pays per unit), and the file read whole (what every staging step paid when these formats were
 * parsed whole). Files come from tests/imports/formats/generated.ts.
 */
import {
  parseStatement,
  type StructuredFormat,
  type StructuredPosition,
  structuredReaders,
} from '@westwallet/shared/imports';
import { camt053, mt940, ofx, qif } from '../../tests/imports/formats/generated.ts';

const partBytes = 256 * 1024;
const mib = Number(process.argv[2] ?? 20);
const options = { currency: 'SEK', currencyExponent: 2 };

/** CPU milliseconds (user + system) of `run`. */
function cpu<T>(run: () => T): { ms: number; value: T } {
  const before = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, value };
}

/** Entries for about `mib` MiB, from the size of a small file of the format. */
function sized(generate: (count: number) => Uint8Array): Uint8Array {
  const perEntry = generate(2000).length / 2000;
  return generate(Math.round((mib * 1024 * 1024) / perEntry));
}

const files: [StructuredFormat, Uint8Array, string][] = [
  ['camt.053', sized(camt053), 'SEK'],
  ['ofx', sized(ofx), 'SEK'],
  ['mt940', sized(mt940), 'EUR'],
  ['qif', sized(qif), 'SEK'],
];

console.log(
  `| format | MiB | entries | whole read, ms CPU | start, ms | parts | longest part, ms | median part, ms | all parts, ms |`,
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [format, bytes, currency] of files) {
  const opts = { ...options, currency };
  const whole = cpu(() => parseStatement(bytes, { ...opts, format }));
  const reader = structuredReaders[format];
  const started = cpu(() => reader.start(bytes, opts));
  if ('refusal' in started.value) throw new Error(started.value.refusal.message);
  let position: StructuredPosition = started.value;
  const parts: number[] = [];
  let entries = 0;
  for (;;) {
    const { ms, value: part } = cpu(() => reader.part(bytes, position, partBytes, opts));
    if ('refusal' in part) throw new Error(part.refusal.message);
    parts.push(ms);
    entries += part.entries.length;
    // As a job keeps it between steps.
    position = JSON.parse(JSON.stringify(part.position));
    if (part.done) break;
  }
  if (entries !== whole.value.statement?.entries.length) throw new Error(`${format}: the parts read other entries`);
  const sorted = [...parts].sort((a, b) => a - b);
  const total = parts.reduce((a, b) => a + b, 0);
  console.log(
    `| ${format} | ${(bytes.length / 1024 / 1024).toFixed(1)} | ${entries} | ${whole.ms.toFixed(0)} | ${started.ms.toFixed(1)} | ${parts.length} | ${(sorted.at(-1) ?? 0).toFixed(1)} | ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1)} | ${total.toFixed(0)} |`,
  );
}
