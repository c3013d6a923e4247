/**
 * Headers on every dashboard response. The CSP allows scripts, styles and
 * connections from the gateway's own origin only: no inline script or style
 * element (the build emits none), no eval, no third-party origin (the
 * dashboard works offline), WebSocket to the same host (`connect-src 'self'`
 * covers ws/wss of the same host in CSP 3). The page may not be framed
 * (clickjacking), sends no referrer (URLs stay in the tab) and is not
 * content-sniffed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
});
