import { AppError, SECRET_MASK } from '@autoweave/contracts';
import type { SecretBox } from '@autoweave/security';

type Config = Record<string, unknown>;

/**
 * Field names that hold secrets in a stage config, at any depth
 * (case-insensitive): connection strings carry passwords, the rest are
 * credentials by name. Stage configs are free-form per component, so secrets
 * are found by name rather than by a per-type list.
 */
const SECRET_FIELDS = new Set(['connectionstring', 'password', 'apikey', 'apitoken', 'token', 'accesstoken', 'secret', 'clientsecret']);

export function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(name.toLowerCase());
}

/** A copy of `value` with every secret field's value replaced by `fn(value, path)`. */
function mapSecretFields(value: unknown, fn: (secret: unknown, path: string) => unknown, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => mapSecretFields(v, fn, path ? `${path}.${i}` : String(i)));
  if (typeof value !== 'object' || value === null) return value;
  const out: Config = {};
  for (const [key, v] of Object.entries(value as Config)) {
    const at = path ? `${path}.${key}` : key;
    out[key] = isSecretField(key) && v !== undefined && v !== null ? fn(v, at) : mapSecretFields(v, fn, at);
  }
  return out;
}

/**
 * Seals secret fields of stage configs at rest (AES-256-GCM, the key from
 * AUTOWEAVE_SECRET_KEY; previous keys open), opens them for a run, and masks them as "***" in
 * every reply.
 */
export class StageSecrets {
  constructor(private readonly box: SecretBox) {}

  seal(config: Config): Config {
    return mapSecretFields(config, (v) => (this.box.isSealed(v) ? v : this.box.seal(JSON.stringify(v)))) as Config;
  }

  open(config: Config): Config {
    return mapSecretFields(config, (v) => (this.box.isSealed(v) ? (JSON.parse(this.box.open(v)) as unknown) : v)) as Config;
  }

  /** The config with secrets sealed by a previous key sealed again with the current one; undefined when none was (key rotation). */
  reseal(config: Config): Config | undefined {
    let changed = false;
    const out = mapSecretFields(config, (v) => {
      if (!this.box.needsReseal(v)) return v;
      changed = true;
      return this.box.reseal(v);
    }) as Config;
    return changed ? out : undefined;
  }

  static mask(config: Config): Config {
    return mapSecretFields(config, () => SECRET_MASK) as Config;
  }

  /** Every secret value in clear, to scrub from error messages. */
  static values(config: Config): string[] {
    const found: string[] = [];
    mapSecretFields(config, (v) => {
      if (typeof v === 'string' && v.length >= 4) found.push(v);
      return v;
    });
    return found;
  }

  /**
   * A config sent back with "***" in a secret field keeps the value stored at
   * the same path (so a client can read, edit and send back a pipeline).
   */
  static restoreMasked(incoming: Config, storedOpen: Config | undefined, where: string): Config {
    return mapSecretFields(incoming, (v, path) => {
      if (v !== SECRET_MASK) return v;
      const previous = storedOpen ? valueAt(storedOpen, path) : undefined;
      if (previous === undefined) throw new AppError('VALIDATION', `${where}.${path} is "***" but no secret is stored there`, { field: `${where}.${path}` });
      return previous;
    }) as Config;
  }
}

function valueAt(config: Config, path: string): unknown {
  let current: unknown = config;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Config)[key];
  }
  return current;
}

/** Replaces every secret value in a message by "***" (driver errors may quote a connection string). */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) out = out.split(secret).join(SECRET_MASK);
  // A URL with credentials is a secret whatever field it came from.
  return out.replace(/(\w+:\/\/)([^:/@\s]+):([^@\s]+)@/g, `$1$2:${SECRET_MASK}@`);
}
