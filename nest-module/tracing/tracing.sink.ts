/**
 * One OpenTelemetry span per worker run and per supersede-able call. A worker run is the root of
 * its own trace (a run that lives for days must not hang under the request that started it); a
 * supersede call is a child of the caller's active span. The span is active while the goroutine
 * is created, so the goroutine and everything it starts see it (gorx runs a goroutine in the
 * AsyncLocalStorage context of the code that started it). A run that supersedes another, or
 * restarts after it, links to that run's span.
 */
import type * as OtelApi from '@opentelemetry/api';
import type { RunEnd, RunRecord, RunStart, TelemetrySink } from '../internal/telemetry.js';

/** Span attribute names. */
export const SPAN_ATTRIBUTES = Object.freeze({
  kind: 'gorx.run.kind',
  worker: 'gorx.worker',
  label: 'gorx.run.label',
  attempt: 'gorx.attempt',
  cause: 'gorx.run.cause',
  restartReason: 'gorx.restart.reason',
  exitReason: 'gorx.exit.reason',
  exitOutcome: 'gorx.exit.outcome',
  link: 'gorx.link',
});

export class TracingSink implements TelemetrySink {
  private readonly tracer: OtelApi.Tracer;
  private readonly spans = new WeakMap<RunRecord, OtelApi.Span>();

  constructor(private readonly api: typeof OtelApi) {
    this.tracer = api.trace.getTracer('gorx');
  }

  begin(run: RunRecord, start: RunStart): void {
    const api = this.api;
    const links: OtelApi.Link[] = [];
    const follows = start.follows;
    const prev = follows == null ? undefined : this.spans.get(follows.run);
    if (prev !== undefined) {
      links.push({
        context: prev.spanContext(),
        attributes: { [SPAN_ATTRIBUTES.link]: follows!.link },
      });
    }
    const attributes: OtelApi.Attributes = {
      [SPAN_ATTRIBUTES.kind]: run.kind,
      [SPAN_ATTRIBUTES.worker]: run.worker,
      [SPAN_ATTRIBUTES.label]: run.label,
      [SPAN_ATTRIBUTES.attempt]: run.attempt,
      [SPAN_ATTRIBUTES.cause]: run.cause,
    };
    if (start.restartReason !== undefined)
      attributes[SPAN_ATTRIBUTES.restartReason] = start.restartReason;
    const span = this.tracer.startSpan(
      `${run.kind} ${run.worker}`,
      { kind: api.SpanKind.INTERNAL, root: run.kind === 'worker', links, attributes },
      api.context.active(),
    );
    this.spans.set(run, span);
  }

  enter<T>(run: RunRecord, fn: () => T): T {
    const span = this.spans.get(run);
    if (span === undefined) return fn();
    const api = this.api;
    return api.context.with(api.trace.setSpan(api.context.active(), span), fn);
  }

  killed(run: RunRecord): void {
    this.spans.get(run)?.addEvent('gorx.kill', { 'gorx.kill.cause': run.killCause! });
  }

  end(run: RunRecord, end: RunEnd): void {
    const span = this.spans.get(run);
    if (span === undefined) return;
    span.setAttribute(SPAN_ATTRIBUTES.exitReason, end.reason);
    if (end.outcome !== null) span.setAttribute(SPAN_ATTRIBUTES.exitOutcome, end.outcome);
    if (end.error !== undefined || end.reason === 'hung') {
      const e = end.error;
      if (e instanceof Error) span.recordException(e);
      span.setStatus({
        code: this.api.SpanStatusCode.ERROR,
        message:
          e instanceof Error ? `${e.name}: ${e.message}` : e === undefined ? 'hung' : String(e),
      });
    }
    span.end();
    // The span stays in the map (weakly) for a later run that links to it.
  }
}
