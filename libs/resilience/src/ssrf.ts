import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '@autoweave/contracts';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

/**
 * What an outbound address is, for the SSRF guard. Everything but `public`
 * is refused unless the policy allows its class (AUTOWEAVE_OUTBOUND_ALLOW).
 */
export const ADDRESS_CLASSES = ['loopback', 'private', 'linkLocal', 'metadata', 'unspecified', 'reserved', 'multicast'] as const;
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

export interface OutboundPolicy {
  allow: ReadonlySet<AddressClass>;
}

/** Nothing but public addresses. */
export const STRICT_OUTBOUND: OutboundPolicy = { allow: new Set() };

/** Cloud metadata endpoints, refused even when link-local is allowed. */
const METADATA = new Set(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200']);

// ipaddr.js range names -> our classes; `unicast` (IPv4) and `unicast`/`global` (IPv6) are public.
const RANGE_CLASS: Record<string, AddressClass | 'public'> = {
  unicast: 'public',
  global: 'public',
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  carrierGradeNat: 'private',
  linkLocal: 'linkLocal',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'reserved',
  reserved: 'reserved',
  benchmarking: 'reserved',
  amt: 'reserved',
  as112: 'reserved',
  as112v6: 'reserved',
  deprecated: 'reserved',
  orchid2: 'reserved',
  droneRemoteIdProtocolEntityTags: 'reserved',
  teredo: 'reserved',
  '6to4': 'reserved',
  rfc6145: 'reserved',
  rfc6052: 'reserved',
  discard: 'reserved',
};

/** The class of an IP address; IPv4-mapped IPv6 addresses are judged as the IPv4 they carry. */
export function classifyAddress(ip: string): AddressClass | 'public' {
  if (!ipaddr.isValid(ip)) return 'reserved';
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (METADATA.has(addr.toString())) return 'metadata';
  return RANGE_CLASS[addr.range()] ?? 'reserved';
}

/** `AUTOWEAVE_OUTBOUND_ALLOW`: a comma-separated list of address classes to allow (e.g. `loopback,private`). */
export function parseOutboundAllow(value: string | undefined): OutboundPolicy {
  const allow = new Set<AddressClass>();
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if (!(ADDRESS_CLASSES as readonly string[]).includes(name)) {
      throw new Error(`AUTOWEAVE_OUTBOUND_ALLOW: "${name}" is not an address class (one of ${ADDRESS_CLASSES.join(', ')})`);
    }
    allow.add(name as AddressClass);
  }
  return { allow };
}

/** Why an address is refused, or undefined when it may be called. */
export function refusal(ip: string, policy: OutboundPolicy): string | undefined {
  const cls = classifyAddress(ip);
  if (cls === 'public' || policy.allow.has(cls)) return undefined;
  return `SSRF: ${ip} is a ${cls} address, which outbound calls may not reach (allow it with AUTOWEAVE_OUTBOUND_ALLOW=${cls})`;
}

/**
 * Resolves the URL's host and refuses it when any address is blocked: a clear
 * VALIDATION error at registration time. The connect-time check in
 * `guardedAgent` is what protects calls (DNS answers can change).
 */
export async function assertUrlAllowed(url: string, policy: OutboundPolicy, options: { allowUnresolved?: boolean } = {}): Promise<void> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new AppError('VALIDATION', `"${url}" is not a URL`);
  }
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolveAll(host);
  } catch (err) {
    // A receiver not resolvable yet may be by the time we call it; the connect-time guard still applies then.
    if (options.allowUnresolved) return;
    throw err;
  }
  for (const ip of addresses) {
    const reason = refusal(ip, policy);
    if (reason) throw new AppError('VALIDATION', reason, { host });
  }
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addresses) =>
      err ? reject(new AppError('VALIDATION', `cannot resolve host "${host}": ${err.code ?? err.message}`, { host })) : resolve(addresses.map((a) => a.address)),
    ),
  );
}

/**
 * The lookup a socket uses: resolves, then refuses when the address it would
 * connect to is blocked. Checking here, on the address actually dialled,
 * closes the DNS-rebinding gap a check before the call leaves open.
 */
export function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const reason = refusal(address, policy);
        if (reason) return callback(ssrfError(reason), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function ssrfError(reason: string): NodeJS.ErrnoException {
  return Object.assign(new Error(reason), { code: 'ESSRF' });
}

/**
 * An undici Agent (keep-alive pool) whose connections may only reach allowed
 * addresses. IP literals in URLs are checked too (they skip DNS, so the
 * connector is wrapped).
 */
export function guardedAgent(policy: OutboundPolicy, options: Omit<Agent.Options, 'connect'> & { connect?: buildConnector.BuildOptions } = {}): Agent {
  const connector = buildConnector({ ...options.connect, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return new Agent({
    ...options,
    connect: (opts, callback) => {
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      const reason = isIP(host) ? refusal(host, policy) : undefined;
      if (reason) return callback(ssrfError(reason), null);
      return connector(opts, callback);
    },
  });
}
