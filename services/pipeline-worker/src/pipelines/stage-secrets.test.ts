import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '@autoweave/security';
import { scrub, StageSecrets } from './stage-secrets.js';

const box = new SecretBox(randomBytes(32));
const secrets = new StageSecrets(box);
const config = { connectionString: 'postgres://u:pw-1@db/x', table: 't', auth: { password: 'pw-2', user: 'u' }, headers: [{ apiKey: 'k-3' }], Token: 'tok-4' };

describe('stage secrets - sealed at rest, masked in replies', () => {
  it('seals every secret field at any depth and opens them back', () => {
    const sealed = secrets.seal(config);
    for (const plain of ['pw-1', 'pw-2', 'k-3', 'tok-4']) expect(JSON.stringify(sealed)).not.toContain(plain);
    expect(sealed.table).toBe('t');
    expect((sealed.auth as { user: string }).user).toBe('u');
    expect(secrets.open(sealed)).toEqual(config);
    expect(secrets.seal(sealed)).toEqual(sealed); // sealing twice changes nothing
  });

  it('masks secret fields as ***', () => {
    expect(StageSecrets.mask(config)).toEqual({ connectionString: '***', table: 't', auth: { password: '***', user: 'u' }, headers: [{ apiKey: '***' }], Token: '***' });
  });

  it('keeps the stored secret where a client sent *** back, and refuses *** where none is stored', () => {
    expect(StageSecrets.restoreMasked({ connectionString: '***', table: 'u' }, config, 'source.config')).toEqual({ connectionString: config.connectionString, table: 'u' });
    expect(() => StageSecrets.restoreMasked({ password: '***' }, {}, 'source.config')).toThrow(/source\.config\.password/);
  });

  it('scrubs secret values and URL credentials from error messages', () => {
    expect(scrub('connect to postgres://u:pw-1@db/x failed (pw-2)', ['pw-2'])).toBe('connect to postgres://u:***@db/x failed (***)');
  });
});
