import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMORY_METRICS } from '../src/memory/metrics.js';
import { POOL_METRICS } from '../src/pools/pool-metrics.js';

const root = new URL('../../../', import.meta.url).pathname;
const rules = join(root, 'deploy/prometheus/leakhound-rules.yml');
const dashboard = join(root, 'deploy/grafana/leakhound-dashboard.json');
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const noPromtool = promtool.error ? 'promtool not installed (Debian package "prometheus"; .ci/run installs it)' : false;

test('promtool check rules accepts deploy/prometheus/leakhound-rules.yml', { skip: noPromtool, timeout: 30_000 }, () => {
  const result = spawnSync('promtool', ['check', 'rules', rules], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS: \d+ rules found/);
});

// Alert unit tests: a leaking instance fires, a flat one does not; pool leak and exhaustion fire.
const unitTests = (rulesPath: string): string => `
rule_files:
  - ${JSON.stringify(rulesPath)}
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'leakhound_memory_state{job="api",instance="a"}'
        values: '0x10 2x40'
      - series: 'leakhound_memory_state{job="api",instance="b"}'
        values: '0x50'
      - series: 'leakhound_heap_time_to_limit_seconds{job="api",instance="a"}'
        values: '_x10 10800x40'
    alert_rule_test:
      - eval_time: 5m
        alertname: LeakhoundMemoryLeak
        exp_alerts: []
      - eval_time: 40m
        alertname: LeakhoundMemoryLeak
        exp_alerts:
          - exp_labels: { severity: warning, job: api, instance: a }
            exp_annotations:
              summary: "Memory leak in api on a"
              description: "The post-GC heap floor grows steadily. Heap snapshots are in the agent's snapshot directory; compare two with \`leakhound diff\`."
      - eval_time: 40m
        alertname: LeakhoundMemoryLimitSoon
        exp_alerts:
          - exp_labels: { severity: critical, job: api, instance: a }
            exp_annotations:
              summary: "a reaches its memory limit in 3h 0m 0s"
              description: "At the current growth rate the process runs out of memory soon; recycle it and look for the leak."
  - interval: 1m
    input_series:
      # 120 MB/h on a 1 GB floor against a 2 GB limit: crosses within 24 h.
      - series: 'leakhound_heap_post_gc_bytes{job="api",instance="a"}'
        values: '1000000000+2000000x480'
      - series: 'leakhound_memory_limit_bytes{job="api",instance="a"}'
        values: '2000000000x480'
      # Flat floor with the same limit: never.
      - series: 'leakhound_heap_post_gc_bytes{job="api",instance="b"}'
        values: '1000000000x480'
      - series: 'leakhound_memory_limit_bytes{job="api",instance="b"}'
        values: '2000000000x480'
    alert_rule_test:
      - eval_time: 7h
        alertname: LeakhoundHeapFloorForecast
        exp_alerts:
          - exp_labels: { severity: warning, job: api, instance: a }
            exp_annotations:
              summary: "Post-GC heap of a heads for its limit within 24 h"
              description: "predict_linear over 6 h of the post-GC heap floor crosses leakhound_memory_limit_bytes."
  - interval: 1m
    input_series:
      - series: 'leakhound_pool_leaks_total{job="coupon",instance="a",pool="pg-1"}'
        values: '0 0 0 1 1 1 2 2 2 2'
      - series: 'db_client_connection_count{job="coupon",instance="a",pool="pg-1",state="used"}'
        values: '2 3 4 5 5 5 5 5 5 5'
      - series: 'db_client_connection_max{job="coupon",instance="a",pool="pg-1"}'
        values: '5x9'
      - series: 'db_client_connection_pending_requests{job="coupon",instance="a",pool="pg-1"}'
        values: '0 0 0 0 1 2 3 4 5 6'
    alert_rule_test:
      - eval_time: 2m
        alertname: LeakhoundPoolLeak
        exp_alerts: []
      - eval_time: 6m
        alertname: LeakhoundPoolLeak
        exp_alerts:
          - exp_labels: { severity: warning, job: coupon, instance: a, pool: pg-1 }
            exp_annotations:
              summary: "Connection leak in pool pg-1 of coupon"
              description: "2 connections held past the leak threshold in 10 min; the agent's log names the code that borrowed them."
      - eval_time: 3m
        alertname: LeakhoundPoolExhausted
        exp_alerts: []
      - eval_time: 8m
        alertname: LeakhoundPoolExhausted
        exp_alerts:
          - exp_labels: { severity: critical, job: coupon, instance: a, pool: pg-1 }
            exp_annotations:
              summary: "Pool pg-1 of a is exhausted"
              description: "All connections are in use and requests wait for one; check LeakhoundPoolLeak and the agent's exhaustion log (it lists the current holders)."
`;

test('promtool test rules: the alerts fire on a leak and an exhausted pool, not on a flat heap', { skip: noPromtool, timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-promtool-'));
  try {
    const file = join(dir, 'leakhound-rules.test.yml');
    writeFileSync(file, unitTests(rules));
    const result = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /SUCCESS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules and dashboard only use metric names the agent exports', () => {
  const exported = new Set<string>([...Object.values(MEMORY_METRICS), ...Object.values(POOL_METRICS)].map((m) => m.promName));
  const used = (text: string): string[] => [...new Set(text.match(/\b(?:leakhound|db_client|v8js|process_memory)_[a-z_]+\b/g) ?? [])];
  for (const [file, text] of [[rules, readFileSync(rules, 'utf8')], [dashboard, readFileSync(dashboard, 'utf8')]] as const) {
    const unknown = used(text).filter((name) => !exported.has(name) && !exported.has(name.replace(/_(bucket|sum|count)$/, '')));
    assert.deepEqual(unknown, [], `${file} uses metrics the agent does not export`);
  }
  const board = JSON.parse(readFileSync(dashboard, 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  assert.ok(board.panels.length >= 6);
  assert.ok(board.panels.every((p) => (p.targets ?? []).every((t) => t.expr.length > 0)));
});
