/**
 * The benchmark's baseline: reads a sacct file exactly as SacctImportService does (stream → sha256 →
 * csv-parse with the same options → classifySacctLine), without a database. Run as a child process by
 * run.ts: `node parse-only.js <file> <time zone>`; progress on stderr, one JSON line on stdout.
 */
import { parse } from 'csv-parse';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { classifySacctLine, LocalTimeReader } from '../../src/usage/sacct';

async function main(file: string, timeZone: string) {
  const started = process.hrtime.bigint();
  const hash = createHash('sha256');
  let bytes = 0;
  const digest = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const parser = parse({
    delimiter: '|',
    columns: (h: string[]) => h.map((c) => c.trim()),
    relax_column_count: true,
    quote: false,
    bom: true,
    skip_empty_lines: true,
    info: true,
    encoding: 'utf8',
  });
  const source = createReadStream(file);
  source.on('error', (e) => parser.destroy(e));
  source.pipe(digest).pipe(parser);
  const times = new LocalTimeReader(timeZone);
  const kinds: Record<string, number> = {};
  let lines = 0;
  for await (const { record } of parser as AsyncIterable<{ record: Record<string, string> }>) {
    lines++;
    const kind = classifySacctLine(record, times).kind;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (lines % 10_000 === 0) process.stderr.write(`\rparse-only: ${lines} lines read`);
  }
  process.stderr.write(`\rparse-only: ${lines} lines read\n`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ lines, bytes, sha256: hash.digest('hex'), kinds, seconds }) + '\n');
}

const [file, timeZone] = process.argv.slice(2);
if (!file || !timeZone) {
  process.stderr.write('usage: node parse-only.js <file> <time zone>\n');
  process.exit(2);
}
main(file, timeZone).catch((e: unknown) => {
  process.stderr.write(`parse-only: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
