import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTEGRATION_ADMIN } from '@autoweave/contracts';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connectNats } from '../connection.js';
import { natsSettingsFromEnv } from '../connection-env.js';
import { createBusCredentials, renderAuthorization, seedOf, type BusCredential } from './bus-credentials.js';

const logger = createLogger({ service: 'tls-test', level: 'silent' });

/** A CA and a server certificate for 127.0.0.1 it signed, made with openssl. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=autoweave-test-ca', '-keyout', path('ca.key'), '-out', path('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', path('server.key'), '-out', path('server.csr'));
  writeFileSync(path('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', path('san.ext'), '-out', path('server.pem'));
  return { ca: path('ca.pem'), cert: path('server.pem'), key: path('server.key') };
}

describe('TLS to NATS, by configuration (real nats-server with a private CA)', () => {
  let dir: string;
  let certs: { ca: string; cert: string; key: string };
  let nats: NatsServerHandle;
  let credentials: BusCredential[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-tls-'));
    certs = makeCertificates(dir);
    credentials = createBusCredentials();
    nats = await startNatsServer({
      config: [`tls { cert_file: ${JSON.stringify(certs.cert)}, key_file: ${JSON.stringify(certs.key)} }`, renderAuthorization(credentials)].join('\n'),
    });
  });

  afterAll(async () => {
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects over TLS with NATS_TLS_CA and the service key, and the permissions still hold', async () => {
    const settings = natsSettingsFromEnv({ NATS_URL: `tls://127.0.0.1:${nats.port}`, NATS_TLS_CA: certs.ca, NATS_NKEY_SEED: seedOf(credentials, 'discovery') });
    const nc = await connectNats({ ...settings, name: 'tls-test' }, logger);
    try {
      expect(nc.info?.tls_required).toBe(true);
      await expect(nc.request(INTEGRATION_ADMIN.delete, '{}', { timeout: 500 })).rejects.toThrow(/Permissions Violation/);
    } finally {
      await nc.close();
    }
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const settings = natsSettingsFromEnv({ NATS_URL: `tls://127.0.0.1:${nats.port}`, NATS_NKEY_SEED: seedOf(credentials, 'discovery') });
    await expect(connectNats({ ...settings, name: 'tls-test', connectTimeoutMs: 500 }, logger)).rejects.toThrow(/certificate/i);
  });

  it('names the missing half of a client certificate', () => {
    expect(() => natsSettingsFromEnv({ NATS_TLS_CERT: certs.cert })).toThrow('NATS_TLS_CERT and NATS_TLS_KEY go together');
  });
});
