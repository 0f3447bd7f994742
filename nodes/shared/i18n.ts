import type { NodeAPI } from 'node-red';

/**
 * A node's message from its locale catalog, or `fallback` (with the same __var__ substitutions) when
 * the catalog is not loaded: the test helper registers none, and a status must never read as a key.
 */
export function tr(RED: NodeAPI, key: string, vars: Record<string, string | number>, fallback: string): string {
  const s = RED._(key, vars);
  if (s && s !== key) return s;
  return fallback.replace(/__(\w+)__/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
