/**
 * A page for browser_test.mjs, loaded by a Chromium that no DevTools client
 * drives (see there why): it uploads 32 MiB with MD5 through the ESM build
 * while the browser's long-task observer and a gap monitor watch the main
 * thread, and posts what they saw to `/responsive-result`. Its parameters
 * come as JSON in the URL's fragment.
 */
import { tiled } from "./test_bytes.mjs";

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
  const file = new File([tiled(size, seed)], "big.bin");
  // Ends the task that made the bytes, which would otherwise be reported below.
  await new Promise((resolve) => setTimeout(resolve));

  // The browser's own measure: every task over 50 ms.
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks.push([entry.startTime, entry.startTime + entry.duration]);
    }
  });
  observer.observe({ type: "longtask" });
  // And the longest any task made the page wait, however short: a task posted at the priority
  // of input handling ("user-blocking") runs as soon as the task running ends, ahead of queued
  // ones (the hashing's turns among them). Posted 1 ms after the last one ran (a watcher always
  // ready would starve the page), it finds the thread free at once unless a task holds it; so a
  // gap of the watcher's is 1 ms plus the task that held the thread meanwhile, if any.
  const gaps = [];
  let watching = true;
  let last = performance.now();
  let turns = 0;
  const watch = () => {
    const now = performance.now();
    if (now - last > 1) gaps.push([last, now]);
    last = now;
    turns++;
    if (watching) scheduler.postTask(watch, { priority: "user-blocking", delay: 1 });
  };
  scheduler.postTask(watch, { priority: "user-blocking", delay: 1 });

  const started = performance.now();
  const uploaded = await library.upload(client, { bucket, key, body: file, md5: true });
  const seconds = (performance.now() - started) / 1000;
  watching = false;
  // Entries of tasks that have ended are queued by now; take them rather than wait.
  for (const entry of observer.takeRecords()) {
    longTasks.push([entry.startTime, entry.startTime + entry.duration]);
  }
  observer.disconnect();

  // What held the thread in a span, beside the hand-overs that fell in it.
  const length = ([from, to]) => to - from;
  const overlap = ([from, to], [start, end]) =>
    Math.max(0, Math.min(to, end) - Math.max(from, start));
  const besideHandOvers = (span) =>
    length(span) - handOvers.reduce((sum, handOver) => sum + overlap(span, handOver), 0);
  const longest = (spans) => Math.max(0, ...spans.map(length));
  await report({
    parts: uploaded.parts.length,
    seconds,
    turns,
    maxGap: longest(gaps),
    maxGapBesideHandOvers: Math.max(0, ...gaps.map(besideHandOvers)),
    maxHandOver: longest(handOvers),
    longTasks: longTasks.map(length),
    longTasksBesideHandOvers: longTasks.map(besideHandOvers).filter((held) => held > 50),
  });
} catch (error) {
  await report({ error: String(error?.stack ?? error) });
}

function report(result) {
  return fetch("/responsive-result", { method: "POST", body: JSON.stringify(result) });
}
