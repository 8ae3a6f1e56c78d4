// Prints benchmark sections and appends them, dated, to BENCHMARKS.md.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../k6.ts';

export interface Row {
  name: string;
  value: string;
  goal?: string;
  met?: boolean;
}

export interface Section {
  title: string;
  notes: string[];
  rows: Row[];
}

const FILE = join(PROJECT_ROOT, 'BENCHMARKS.md');

export function renderSections(sections: Section[]): string {
  const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const parts = [`## Run of ${when}`, '', `Machine: ${machine}.`, ''];
  for (const section of sections) {
    parts.push(`### ${section.title}`, '', ...section.notes.map((n) => `${n}`), '');
    parts.push('| measure | value | goal | met |', '|---|---|---|---|');
    for (const row of section.rows) {
      const met = row.met === undefined ? '' : row.met ? 'yes' : '**no**';
      parts.push(`| ${row.name} | ${row.value} | ${row.goal ?? ''} | ${met} |`);
    }
    parts.push('');
  }
  return parts.join('\n');
}

export function appendToBenchmarks(text: string): void {
  if (!existsSync(FILE)) {
    writeFileSync(
      FILE,
      '# Benchmarks\n\nWritten by `npm run bench`; every run appends a dated section. Ratios compare runs made ' +
        'one after the other on the same machine and target, so they hold better than absolute numbers.\n\n',
    );
  }
  appendFileSync(FILE, `${text}\n`);
}
