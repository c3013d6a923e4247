import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * deploy/monitoring must stay loadable and must only query series the services
 * really export: a renamed metric would otherwise leave an alert that can never fire.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MONITORING = join(ROOT, 'deploy/monitoring');
const RULES = join(MONITORING, 'alerts.yml');
const DASHBOARD = join(MONITORING, 'grafana-dashboard.json');

/** `up` is made by Prometheus itself, not by a service. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const HISTOGRAM_SUFFIXES = /_(bucket|sum|count)$/;

/** promtool from PATH, from scripts/setup.sh's cache, or from an unpacked Debian package in /tmp. */
function findPromtool(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return [join(ROOT, '.autoweave/bin/promtool'), '/tmp/prom/usr/bin/promtool'].find((path) => existsSync(path));
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Metric names registered with prom-client in libs/ and services/ sources:
 * `name: 'x'`, `name: CONST` (CONST = 'x' in the same file), and names built as
 * `${prefix}_x` where the file declares a default `prefix = 'y'`.
 */
function registeredMetricNames(): Set<string> {
  const names = new Set<string>();
  const roots = ['libs', 'services'].flatMap((top) =>
    readdirSync(join(ROOT, top), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(ROOT, top, e.name, 'src')),
  );
  for (const file of roots.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    if (!/new (Counter|Gauge|Histogram|Summary)\s*(<[^>]*>)?\(/.test(text)) continue;
    for (const m of text.matchAll(/\bname:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\bname:\s*([A-Z][A-Z0-9_]*)\b/g)) {
      const constant = new RegExp(`\\b${m[1]}\\s*=\\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'`).exec(text);
      if (constant) names.add(constant[1]!);
    }
    const prefix = /\bprefix\s*=\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/.exec(text)?.[1];
    if (prefix) for (const m of text.matchAll(/`\$\{prefix\}(_[a-zA-Z0-9_:]+)`/g)) names.add(prefix + m[1]);
  }
  return names;
}

/** Series names a PromQL expression selects (functions, keywords, labels, strings and durations dropped). */
function seriesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const found = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) {
    const word = m[1]!;
    if (PROMQL_WORDS.has(word.toLowerCase()) || /^\d/.test(word)) continue;
    found.add(word.replace(HISTOGRAM_SUFFIXES, ''));
  }
  return [...found];
}

/** `expr:` values of a rules file, plain or `|` block scalars (the only forms alerts.yml uses). */
function ruleExprs(yaml: string): string[] {
  const lines = yaml.split('\n');
  const exprs: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!m) return;
    if (!/^[|>]/.test(m[2]!)) return void exprs.push(m[2]!.replace(/^['"]|['"]$/g, ''));
    const block: string[] = [];
    for (let j = i + 1; j < lines.length && (lines[j]!.trim() === '' || lines[j]!.search(/\S/) > m[1]!.length); j++) block.push(lines[j]!);
    exprs.push(block.join('\n'));
  });
  return exprs;
}

function dashboardExprs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(dashboardExprs);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'expr' && typeof value === 'string' ? [value] : dashboardExprs(value)));
}

function unregistered(exprs: string[], registered: Set<string>): string[] {
  const used = new Set(exprs.flatMap(seriesIn));
  return [...used].filter((name) => !registered.has(name) && !PROMETHEUS_SERIES.has(name)).sort();
}

describe('deploy/monitoring', () => {
  const registered = registeredMetricNames();

  it('finds the metrics the services register (guards the checks below against passing on nothing)', () => {
    for (const name of [
      'integration_requests_total',
      'integration_breaker_state',
      'pipeline_items_total',
      'autoweave_breaker_state',
      'autoweave_webhook_dead_letters_total',
      'webhook_inbound_total',
      'autoweave_webhook_delivery_backlog',
      'autoweave_webhook_dead_letters_stored',
      'pipeline_lag',
      'autoweave_jetstream_redeliveries_total',
    ]) {
      expect(registered).toContain(name);
    }
    expect(seriesIn('histogram_quantile(0.95, sum by (pipeline, le) (rate(pipeline_batch_duration_seconds_bucket{x="a b"}[5m]))) > 10 and on (pipeline) up == 0')).toEqual([
      'pipeline_batch_duration_seconds',
      'up',
    ]);
  });

  it('alert rules only use metric names the services export', () => {
    const exprs = ruleExprs(readFileSync(RULES, 'utf8'));
    expect(exprs.length).toBeGreaterThan(5);
    expect(unregistered(exprs, registered)).toEqual([]);
  });

  it('alerts cover what operators need: errors, breakers, webhook backlog and dead letters, pipeline lag and failures, redeliveries, services down', () => {
    const used = new Set(ruleExprs(readFileSync(RULES, 'utf8')).flatMap(seriesIn));
    for (const name of [
      'integration_requests_total',
      'integration_breaker_state',
      'autoweave_breaker_state',
      'autoweave_webhook_delivery_backlog',
      'autoweave_webhook_dead_letters_stored',
      'autoweave_webhook_dead_letters_total',
      'pipeline_lag',
      'pipeline_runs_total',
      'autoweave_jetstream_redeliveries_total',
      'up',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('dashboard queries only use metric names the services export', () => {
    const exprs = dashboardExprs(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
    expect(exprs.length).toBeGreaterThan(5);
    expect(unregistered(exprs, registered)).toEqual([]);
  });

  it('promtool check rules accepts alerts.yml (and rejects a broken rule)', () => {
    const promtool = findPromtool();
    if (!promtool) {
      console.log('SKIPPED promtool check: promtool not found (bash scripts/setup.sh test fetches it, or apt-get download prometheus)');
      return;
    }
    const out = execFileSync(promtool, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);

    const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(foo[5m]) > \n');
      expect(spawnSync(promtool, ['check', 'rules', broken]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
