import { describe, expect, it } from '@jest/globals';
import { ApiError, fieldErrorsOf, problemsFor, unclaimedProblems } from './errors.js';

describe('dashboard - API field errors', () => {
  it.each<[string, unknown, Record<string, string[]>]>([
    ['DTO problems', { fields: [{ field: 'config.url', problems: ['url must be an http(s) URL'] }] }, { 'config.url': ['url must be an http(s) URL'] }],
    ['one field', { field: 'topic' }, { topic: ['bad thing'] }],
    ['unknown fields', { fields: ['colour'] }, { colour: ['unknown field colour'] }],
    ['no details', undefined, {}],
  ])('reads %s', (_case, details, expected) => {
    expect(fieldErrorsOf(new ApiError(400, 'VALIDATION', 'bad thing', details))).toEqual(expected);
  });

  it('puts each problem under the most specific input covering its path, and the rest above the form', () => {
    const errors = { 'config.url': ['a'], 'config.auth.token': ['b'], 'source.config.table': ['c'], mystery: ['d'] };
    const inputs = ['config', 'config.url', 'config.auth', 'source.config'];
    expect(problemsFor('config.url', errors, inputs)).toEqual(['a']);
    expect(problemsFor('config.auth', errors, inputs)).toEqual(['b']);
    expect(problemsFor('config', errors, inputs)).toEqual([]);
    expect(problemsFor('source.config', errors, inputs)).toEqual(['c']);
    expect(unclaimedProblems(errors, inputs)).toEqual([{ field: 'mystery', problems: ['d'] }]);
  });
});
