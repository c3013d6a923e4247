import { describe, expect, it } from '@jest/globals';
import { isK8sName, k8sName, K8S_NAME_MAX_LENGTH, NAME_SUFFIXES, shortHash } from './names.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('k8sName', () => {
  const cases: Array<{ input: string; expected?: string | RegExp }> = [
    { input: 'petstore', expected: 'petstore' },
    { input: 'crm-api-2', expected: 'crm-api-2' },
    { input: 'Petstore', expected: /^petstore-[0-9a-f]{8}$/ },
    { input: 'My CRM API', expected: /^my-crm-api-[0-9a-f]{8}$/ },
    { input: '  spaced   name  ', expected: /^spaced-name-[0-9a-f]{8}$/ },
    { input: 'Crème Brûlée Ünïcode', expected: /^creme-brulee-unicode-[0-9a-f]{8}$/ },
    { input: '日本語のAPI', expected: /^api-[0-9a-f]{8}$/ },
    { input: '🚀🚀🚀', expected: /^integration-[0-9a-f]{8}$/ },
    { input: '!!!@@@###', expected: /^integration-[0-9a-f]{8}$/ },
    { input: '---', expected: /^integration-[0-9a-f]{8}$/ },
    { input: '123-numbers-first', expected: /^numbers-first-[0-9a-f]{8}$/ },
    { input: 'trailing-dash-', expected: /^trailing-dash-[0-9a-f]{8}$/ },
    { input: 'under_score.dot', expected: /^under-score-dot-[0-9a-f]{8}$/ },
    { input: 'a'.repeat(200) },
    { input: 'x'.repeat(K8S_NAME_MAX_LENGTH), expected: 'x'.repeat(K8S_NAME_MAX_LENGTH) },
    { input: 'x'.repeat(K8S_NAME_MAX_LENGTH + 1) },
    { input: 'Ab-'.repeat(80) },
    { input: '' },
  ];

  it.each(cases)('$input -> a valid, stable name', ({ input, expected }) => {
    const name = k8sName(input);
    expect(name).toMatch(DNS1123_LABEL);
    expect(name).toMatch(/^[a-z]/); // DNS-1035: Service names start with a letter
    expect(name.length).toBeLessThanOrEqual(K8S_NAME_MAX_LENGTH);
    for (const suffix of Object.values(NAME_SUFFIXES)) expect(`${name}${suffix}`.length).toBeLessThanOrEqual(63);
    expect(isK8sName(name)).toBe(true);
    expect(k8sName(input)).toBe(name);
    if (typeof expected === 'string') expect(name).toBe(expected);
    else if (expected) expect(name).toMatch(expected);
    if (name !== input) expect(name.endsWith(`-${shortHash(input)}`)).toBe(true);
  });

  it('keeps different odd names apart even when they normalise alike', () => {
    const names = ['My API', 'my api', 'my_api', 'MY-API', 'my--api!'].map((n) => k8sName(n));
    expect(new Set(names).size).toBe(names.length);
    expect(k8sName('a'.repeat(200))).not.toBe(k8sName('a'.repeat(201)));
  });

  it('honours a custom maximum', () => {
    expect(k8sName('y'.repeat(100), 30)).toHaveLength(30);
    expect(() => k8sName('x', 10)).toThrow(RangeError);
  });
});
