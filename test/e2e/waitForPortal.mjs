// Waits until the example portal's backend and frontend answer (up to 4 minutes).
const deadline = Date.now() + 240_000;
const targets = ['http://localhost:7007/api/cutover/health', 'http://localhost:3000/'];
for (const url of targets) {
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      console.error(`[e2e] ${url} did not answer in time`);
      process.exit(1);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}
console.log('[e2e] portal is up');
