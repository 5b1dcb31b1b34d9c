/** The board page's stylesheet (inline, under the page's CSP nonce). */
export const BOARD_STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f8; --fg: #1d1f23; --muted: #6b7280; --line: #d9dbe0;
  --card: #fff; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; --info: #1d4ed8; --idle: #6b7280; }
@media (prefers-color-scheme: dark) { :root { --bg: #15171b; --fg: #e6e7ea; --muted: #9aa0aa;
  --line: #2d3138; --card: #1c1f24; --ok: #4ade80; --warn: #fbbf24; --bad: #f87171; --info: #93c5fd; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; gap: 1rem; align-items: baseline; padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 1.2rem; margin: 0; }
h2 { font-size: 1rem; margin: 1.2rem 0 .5rem; }
h2 small { color: var(--muted); font-weight: normal; }
main { padding: 0 1.2rem 2rem; }
.conn, .mode, .note { color: var(--muted); }
.conn.live { color: var(--ok); }
.conn.down { color: var(--bad); }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: .35rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: .85rem; color: var(--muted); }
td.name { font-weight: 600; word-break: break-all; }
td.error, span.error { color: var(--bad); word-break: break-word; }
.state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .8rem; border: 1px solid currentColor; }
.s-running, .s-scheduled { color: var(--ok); }
.s-hung, .s-gave-up, .s-failed { color: var(--bad); }
.s-backoff, .s-stopping { color: var(--warn); }
.s-idle, .s-stopped { color: var(--idle); }
button { font: inherit; font-size: .8rem; margin: 0 .2rem .2rem 0; padding: .1rem .5rem; border-radius: .3rem;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--info); }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.2rem; }
@media (max-width: 900px) { .cols { grid-template-columns: 1fr; } }
.events { list-style: none; margin: 0; padding: .3rem .6rem; background: var(--card); border: 1px solid var(--line);
  max-height: 22rem; overflow: auto; font-family: ui-monospace, monospace; font-size: .8rem; }
.events li { padding: .1rem 0; border-bottom: 1px dotted var(--line); }
.events time { color: var(--muted); }
.e-heartbeat-missed b, .e-failed b, .e-gave-up b { color: var(--bad); }
.e-started b, .e-restarted b, .e-completed b { color: var(--ok); }
.e-superseded b, .e-skipped b { color: var(--warn); }
#goroutines { font-family: ui-monospace, monospace; font-size: .8rem; }
.timeline { background: var(--card); border: 1px solid var(--line); padding: .4rem .6rem; }
.lane { display: grid; grid-template-columns: 12rem 1fr; align-items: center; height: 1.5rem; }
.lane .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: .8rem; }
.track { position: relative; height: 1rem; border-bottom: 1px solid var(--line); }
.mark { position: absolute; top: 0; transform: translateX(-50%); font-size: .75rem; line-height: 1rem; }
.m-beat { color: var(--muted); }
.m-started, .m-restarted, .m-completed { color: var(--ok); }
.m-failed, .m-heartbeat-missed, .m-gave-up { color: var(--bad); }
.m-stopped, .m-superseded, .m-skipped { color: var(--warn); }
`;
