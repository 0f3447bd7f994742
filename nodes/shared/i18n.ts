import type { NodeAPI } from 'node-red';

/** A message by key with __var__ substitutions; `fallback` is the English text when no catalog answers. */
export type Translate = (key: string, vars: Record<string, string | number>, fallback: string) => string;

/** `fallback` with its __var__ placeholders filled: the English of a message when no catalog is loaded. */
export function substitute(fallback: string, vars: Record<string, string | number>): string {
  return fallback.replace(/__(\w+)__/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** Translate for pure code and its unit tests: the English fallback, filled. */
export const english: Translate = (_key, vars, fallback) => substitute(fallback, vars);

/**
 * A node's message from its locale catalog, or `fallback` (with the same __var__ substitutions) when
 * the catalog is not loaded: the test helper registers none, and a status must never read as a key.
 */
export function tr(RED: NodeAPI, key: string, vars: Record<string, string | number>, fallback: string): string {
  const s = RED._(key, vars);
  if (s && s !== key) return s;
  return substitute(fallback, vars);
}

/**
 * Translate for shared code run by node `type`: a relative key ('status.line.ok') is looked up in that
 * node's catalog (each node set has its own namespace), a namespaced one ('node-red:…') as it is.
 */
export function scoped(RED: NodeAPI, type: string): Translate {
  return (key, vars, fallback) => tr(RED, key.includes(':') ? key : `${type}.${key}`, vars, fallback);
}
