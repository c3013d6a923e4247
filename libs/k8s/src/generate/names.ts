import { createHash } from 'node:crypto';

/**
 * Longest base name k8sName returns by default. Object names are the base name plus a suffix of at
 * most 12 characters (`-credentials`, `-metrics`, `-openapi`), which keeps every one a DNS-1123
 * label (<= 63).
 */
export const K8S_NAME_MAX_LENGTH = 50;

/** Name suffixes of the generated objects (the base name alone is used for the rest). */
export const NAME_SUFFIXES = {
  credentials: '-credentials',
  openapi: '-openapi',
  metrics: '-metrics',
} as const;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** First 8 hex digits of the SHA-256 of `text` (UTF-8). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
}

/** True for a DNS-1035 label (lowercase alnum and '-', starts with a letter, ends alnum) of <= max characters. */
export function isK8sName(name: string, max = 63): boolean {
  return name.length <= max && DNS_LABEL.test(name);
}

/**
 * The Kubernetes object name for an integration name. A name that already is a valid label
 * (lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at
 * most `max` characters) is used as it is. Any other name is normalised (lowercased, accents
 * stripped, every run of other characters turned into one '-', leading digits/dashes removed),
 * cut so that it fits, and given the suffix `-<first 8 hex of sha256(original name)>`: two
 * different odd names never share a result by accident, and the same name always gives the same
 * result. A name with nothing usable left becomes `integration-<hash>`.
 *
 * The result is a DNS-1035 label (a DNS-1123 label that also starts with a letter), because a
 * Service name must be one.
 */
export function k8sName(name: string, max = K8S_NAME_MAX_LENGTH): string {
  if (max < 20 || max > 63) throw new RangeError(`k8sName: max must be within 20..63, not ${max}`);
  if (isK8sName(name, max)) return name;
  const hash = shortHash(name);
  const normalised = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  const room = max - hash.length - 1;
  const base = normalised.slice(0, room).replace(/-+$/, '');
  return `${base === '' ? 'integration' : base}-${hash}`;
}
