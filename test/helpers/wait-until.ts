/**
 * Waiting for a condition outside the browser (a msg reaching a flow, a server answering): `probe` is asked
 * again every `everyMs` until it returns something other than undefined, null or false, which is returned.
 * `timeoutMs` only bounds a failure; a test that passes never waits for it.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
