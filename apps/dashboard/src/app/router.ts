import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/integrations/<id>`): the gateway serves one index.html at
 * `/` and needs no fallback route for the dashboard's pages. Nothing secret
 * ever goes in the hash (the API key stays in sessionStorage).
 */
export function useRoute(): string[] {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(path: string): void {
  location.hash = path.startsWith('#') ? path : `#${path}`;
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}
