/**
 * The board page, rendered on the server: one HTML document with its CSS and script inline (no
 * CDN, nothing to build). Every interpolated value goes through `html`, which escapes it unless
 * it is markup this file built; data for the script travels as JSON in a non-executable
 * `<script type="application/json">` block with `<` escaped, and the script sets every text as
 * `textContent`. A nonce-based Content-Security-Policy forbids any other script or style.
 */
import { BOARD_CLIENT_SCRIPT } from './board.client.js';
import { BOARD_STYLE } from './board.style.js';
import type { BoardEvent, BoardSnapshot, BoardWorker } from './board.feed.js';

/** Markup built by this file (never from user data without escaping). */
class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Part = Html | string | number | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined) return '';
  if (part instanceof Html) return part.markup;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** Tagged template: the literal parts are markup, every value is escaped. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** JSON for a `<script type="application/json">` block: `<`, U+2028 and U+2029 escaped. */
export function scriptJson(value: unknown): Html {
  return new Html(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}

export interface BoardPageInput {
  /** URL path of the board as the client reached it (global prefix included). */
  base: string;
  nonce: string;
  /** CSRF token, or null when actions are off. */
  csrf: string | null;
  actions: boolean;
  snapshot: BoardSnapshot;
  recent: BoardEvent[];
}

/** The Content-Security-Policy sent with the page. */
export function boardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function renderBoardPage(input: BoardPageInput): string {
  const { snapshot, actions } = input;
  const data = {
    base: input.base,
    csrf: input.csrf,
    actions,
    snapshot,
    recent: input.recent,
  };
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>gorx workers</title>
        <style nonce="${input.nonce}">
          ${new Html(BOARD_STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>gorx workers</h1>
          <span id="conn" class="conn"
            >server-rendered at ${new Date(snapshot.now).toISOString()}</span
          >
          <span class="mode">${actions ? 'actions enabled' : 'read-only'}</span>
        </header>
        <main>
          <section>
            <h2>
              Workers
              <small id="worker-count"
                >${snapshot.workerCount > snapshot.workers.length ? `${snapshot.workers.length} of ${snapshot.workerCount}` : snapshot.workerCount}</small
              >
            </h2>
            <p id="action-result" class="note" role="status"></p>
            <table id="workers">
              <thead>
                <tr>
                  <th>worker</th>
                  <th>state</th>
                  <th>attempt</th>
                  <th>restarts</th>
                  <th>last heartbeat</th>
                  <th>details</th>
                  <th>last error</th>
                  <th>next restart / run</th>
                  ${actions ? html`<th>actions</th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${snapshot.workers.map((w) => workerRow(w, snapshot.now, actions))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>
              Timeline
              <small
                ><span id="timeline-window">last 5 minutes</span>: · heartbeat ▲ start ● restart ✕
                failure ■ stop or supersede</small
              >
            </h2>
            <div id="timeline" class="timeline"></div>
          </section>
          <div class="cols">
            <section>
              <h2>Events <small id="event-count">${input.recent.length}</small></h2>
              <ol id="events" class="events">
                ${[...input.recent].reverse().map(eventItem)}
              </ol>
            </section>
            <section>
              <h2>Goroutines <small id="goroutine-count">${snapshot.goroutineCount}</small></h2>
              <table id="goroutines">
                <thead>
                  <tr>
                    <th>id</th>
                    <th>name</th>
                    <th>state</th>
                    <th>blocked on</th>
                    <th>age</th>
                    <th>parent</th>
                  </tr>
                </thead>
                <tbody>
                  ${snapshot.goroutines.map(
                    (g) =>
                      html`<tr>
                        <td>${g.id}</td>
                        <td>${g.name}</td>
                        <td>${g.state}</td>
                        <td>${g.blockedOn ?? ''}</td>
                        <td>${seconds(g.ageMs)}</td>
                        <td>${g.parentId ?? ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </section>
          </div>
        </main>
        <script type="application/json" id="gorx-data">
          ${scriptJson(data)}
        </script>
        <script nonce="${input.nonce}">
          ${new Html(BOARD_CLIENT_SCRIPT)};
        </script>
      </body>
    </html> `.markup;
}

function workerRow(w: BoardWorker, now: number, actions: boolean): Html {
  const due = w.nextRestartAt ?? w.nextRunAt;
  return html`<tr>
    <td class="name">${w.name}</td>
    <td><span class="state s-${w.state}">${w.state}</span></td>
    <td>${w.attempt}</td>
    <td>${w.restarts}</td>
    <td>${w.lastHeartbeatAt === null ? '–' : `${seconds(now - w.lastHeartbeatAt)} ago`}</td>
    <td>${w.details ?? ''}</td>
    <td class="error">${w.lastError ?? ''}</td>
    <td>${due === null ? '' : `in ${seconds(due - now)}`}</td>
    ${actions ? html`<td></td>` : ''}
  </tr>`;
}

function eventItem(e: BoardEvent): Html {
  return html`<li class="e-${e.type}">
    <time>${new Date(e.at).toISOString().slice(11, 23)}</time> <b>${e.type}</b> ${e.worker}
    #${e.attempt}${e.error === null ? '' : html` <span class="error">${e.error}</span>`}
  </li>`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
