import { describe, expect, it } from '@jest/globals';
import { AppError, ExecuteRequestDto, validateDto } from '@autoweave/contracts';
import { plainlyValid, validateExecuteRequest } from './execute-request.js';

const ID = '3b241101-e2bb-4255-8caf-4136c566a962';

/** Payloads at and around every rule of ExecuteRequestDto. */
const CASES: Array<[string, unknown]> = [
  ['minimal', { integrationId: ID, action: 'getItem' }],
  ['with params and timeout', { integrationId: ID, action: 'getItem', params: { id: 1, nested: { a: [1, 'x'] } }, timeoutMs: 5000 }],
  ['upper-case id', { integrationId: ID.toUpperCase(), action: 'a' }],
  ['v1 id', { integrationId: 'a8098c1a-f86e-11da-bd1a-00112444be1e', action: 'a' }],
  ['nil id', { integrationId: '00000000-0000-0000-0000-000000000000', action: 'a' }],
  ['id with spaces', { integrationId: ` ${ID}`, action: 'a' }],
  ['numeric id', { integrationId: 7, action: 'a' }],
  ['missing id', { action: 'a' }],
  ['missing action', { integrationId: ID }],
  ['empty action', { integrationId: ID, action: '' }],
  ['action of 300', { integrationId: ID, action: 'x'.repeat(300) }],
  ['action of 301', { integrationId: ID, action: 'x'.repeat(301) }],
  ['action of 301 units, 300 characters', { integrationId: ID, action: `${'x'.repeat(299)}😀` }],
  ['numeric action', { integrationId: ID, action: 5 }],
  ['params null', { integrationId: ID, action: 'a', params: null }],
  ['params array', { integrationId: ID, action: 'a', params: [1] }],
  ['params string', { integrationId: ID, action: 'a', params: 'id=1' }],
  ['timeout 0', { integrationId: ID, action: 'a', timeoutMs: 0 }],
  ['timeout 1', { integrationId: ID, action: 'a', timeoutMs: 1 }],
  ['timeout 300000', { integrationId: ID, action: 'a', timeoutMs: 300_000 }],
  ['timeout 300001', { integrationId: ID, action: 'a', timeoutMs: 300_001 }],
  ['timeout 1.5', { integrationId: ID, action: 'a', timeoutMs: 1.5 }],
  ['timeout as string', { integrationId: ID, action: 'a', timeoutMs: '100' }],
  ['timeout null', { integrationId: ID, action: 'a', timeoutMs: null }],
  ['unknown field', { integrationId: ID, action: 'a', integration: 'x' }],
  ['__proto__ field', JSON.parse(`{"integrationId":"${ID}","action":"a","__proto__":{"x":1}}`)],
  ['array', [ID, 'a']],
  ['null', null],
  ['string', 'execute'],
];

async function outcome(run: () => unknown): Promise<{ accepted: unknown } | { refused: unknown }> {
  try {
    return { accepted: { ...((await run()) as object) } };
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const { code, message, details } = err as AppError;
    return { refused: { code, message, details } };
  }
}

describe('validateExecuteRequest', () => {
  it.each(CASES)('%s: same verdict and error as ExecuteRequestDto', async (_name, payload) => {
    const expected = await outcome(() => validateDto(ExecuteRequestDto, structuredClone(payload)));
    expect(await outcome(() => validateExecuteRequest(structuredClone(payload)))).toEqual(expected);
    // The shortcut only ever takes requests the DTO accepts.
    if (plainlyValid(structuredClone(payload))) expect(expected).toHaveProperty('accepted');
  });

  it('takes the shortcut for the ordinary request', () => {
    expect(plainlyValid({ integrationId: ID, action: 'getItem', params: { id: 1 } })).toBe(true);
  });

  it('names the bad field the way the DTO does', async () => {
    await expect(validateExecuteRequest({ integrationId: 'nope', action: 'getItem' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('integrationId must be an integration id (a UUID)'),
    });
  });
});
