/**
 * A page for browser_test.mjs, loaded by a Chromium that no DevTools client
 * drives (see there why): it uploads 32 MiB with MD5 through the ESM build
 * while the browser's long-task observer and a gap monitor watch the main
 * thread, and posts what they saw to `/responsive-result`. Its parameters
 * come as JSON in the URL's fragment.
 */
const { endpoint, credentials, bucket, key, size, seed } = JSON.parse(
  decodeURIComponent(location.hash.slice(1)),
);

try {
  const library = await import("/esm/mod.js");
  // Handing an 8 MiB Uint8Array body to fetch() is itself a task of 20-50 ms in Chromium (the
  // body is copied on this thread): the transport's cost, not hashing's. Each hand-over is timed,
  // so that the gaps it falls in can be told apart.
  const handOvers = [];
  const client = library.createClient({
    endpoint,
    credentials,
    fetch: (request) => {
      const start = performance.now();
      const answer = fetch(request);
      handOvers.push([start, performance.now()]);
      return answer;
    },
  });
  // Made before anything is watched: filling 32 MiB is a long task of the test's own.
  const bytes = new Uint8Array(size).map((_, i) => (i * 2654435761 + seed * 40503) >>> 24);
  const file = new File([bytes], "big.bin");
  // Ends the task that filled them, which would otherwise be reported below.
  await new Promise((resolve) => setTimeout(resolve));

  // The browser's own measure: every task over 50 ms.
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks.push([entry.startTime, entry.startTime + entry.duration]);
    }
  });
  observer.observe({ type: "longtask" });
  // And the longest any task made others wait, however short: a message bounced through a
  // channel is answered as soon as the thread is free, so the time between two answers is what
  // ran meanwhile (performance.now() is coarsened to 0.1 ms).
  const gaps = [];
  const channel = new MessageChannel();
  let watching = true;
  let last = performance.now();
  let turns = 0;
  channel.port1.onmessage = () => {
    const now = performance.now();
    if (now - last > 1) gaps.push([last, now]);
    last = now;
    turns++;
    if (watching) channel.port2.postMessage(undefined);
  };
  channel.port2.postMessage(undefined);

  const started = performance.now();
  const uploaded = await library.upload(client, { bucket, key, body: file, md5: true });
  const seconds = (performance.now() - started) / 1000;
  watching = false;
  // Entries of tasks that have ended are queued by now; take them rather than wait.
  for (const entry of observer.takeRecords()) {
    longTasks.push([entry.startTime, entry.startTime + entry.duration]);
  }
  observer.disconnect();
  channel.port1.close();

  const length = ([from, to]) => to - from;
  const overlapsHandOver = ([from, to]) =>
    handOvers.some(([start, end]) => start < to && end > from);
  const longest = (spans) => Math.max(0, ...spans.map(length));
  await report({
    parts: uploaded.parts.length,
    seconds,
    turns,
    maxGap: longest(gaps),
    maxGapBesideHandOvers: longest(gaps.filter((gap) => !overlapsHandOver(gap))),
    maxHandOver: longest(handOvers),
    longTasks: longTasks.map(length),
    longTasksBesideHandOvers: longTasks.filter((task) => !overlapsHandOver(task)).map(length),
  });
} catch (error) {
  await report({ error: String(error?.stack ?? error) });
}

function report(result) {
  return fetch("/responsive-result", { method: "POST", body: JSON.stringify(result) });
}
