import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as contracts from './index.js';
import { ERROR_CODES, httpStatusOf } from './errors.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const catalogueSubjects = (): readonly string[] => contracts.CATALOGUE_SUBJECTS;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (['node_modules', 'dist', '.turbo', '.git', '.autoweave'].includes(name)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(name) ? [path] : [];
  });
}

/** Comments may name subjects (docs); only code may not. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('contracts - the subject catalogue', () => {
  it('has no duplicate subjects', () => {
    const all = catalogueSubjects();
    expect(new Set(all).size).toBe(all.length);
  });

  it('is the only place a catalogue subject is written as a string literal', () => {
    const subjects = new Set(catalogueSubjects());
    const offenders: string[] = [];
    for (const top of ['libs', 'services', 'test', 'scripts', 'bench']) {
      let files: string[] = [];
      try {
        files = sourceFiles(join(repo, top));
      } catch {
        continue;
      }
      for (const file of files) {
        if (file.includes(join('libs', 'contracts', 'src'))) continue;
        const code = withoutComments(readFileSync(file, 'utf8'));
        const literals = code.matchAll(/['"`]([a-z][a-z0-9_.*>-]*)['"`]/g);
        for (const [, literal] of literals) if (subjects.has(literal!)) offenders.push(`${relative(repo, file)}: '${literal}'`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it.each([
    ['user.created', 'events.user.created'],
    ['order.item.shipped', 'events.order.item.shipped'],
  ])('maps the event topic %s to %s', (topic, subject) => expect(contracts.subjectFor.event(topic)).toBe(subject));

  it.each(['*', '>', 'a.*', 'a b', '', 'a..b'])('refuses the topic %j (no wildcards or empty tokens)', (topic) => {
    expect(() => contracts.subjectFor.event(topic)).toThrow(/invalid subject token|non-empty/);
  });
});

describe('contracts - error codes', () => {
  const doc = readFileSync(join(repo, 'docs/errors.md'), 'utf8');

  it.each(Object.keys(ERROR_CODES))('documents %s in docs/errors.md with its HTTP status', (code) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${httpStatusOf(code as contracts.ErrorCode)} |`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('gives every code its own HTTP status', () => {
    const statuses = Object.values(ERROR_CODES).map((c) => c.status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  it('round-trips an AppError through the envelope and hides unknown errors', () => {
    const envelope = contracts.fail(new contracts.AppError('CONFLICT', 'stale', { revision: 2 }));
    expect(() => contracts.unwrap(envelope)).toThrow(expect.objectContaining({ code: 'CONFLICT', details: { revision: 2 } }) as Error);
    expect(contracts.fail(new Error('password=hunter2'))).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
  });
});
