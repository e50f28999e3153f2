// Waiting on a condition rather than for a hoped-for time: for state that
// has no event of its own to await (a counter, a scrape, a file on disk).

/** Resolves once `predicate` holds (checked every 25 ms); rejects after `ms`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
