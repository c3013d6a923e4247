/**
 * The API key of this browser tab. It lives in sessionStorage: gone when the
 * tab closes, never in a URL, a cookie or localStorage, and never sent
 * anywhere but the gateway's own origin (in the x-api-key header, and in the
 * first WebSocket message).
 */
const KEY = 'autoweave.apiKey';

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(KEY);
}
