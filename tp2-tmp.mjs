import { MessagePort } from 'node:worker_threads';
let posts = 0; const kinds = {};
const orig = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (m, t) { posts++; if (Array.isArray(m)) for (const op of m.slice(1)) if (Array.isArray(op)) kinds[op[0]] = (kinds[op[0]] ?? 0) + 1; return orig.call(this, m, t); };
await import('./tp-tmp.mjs');
console.log('main posts', posts, kinds);
