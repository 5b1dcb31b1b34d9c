// js-csp ships no type declarations: only what the benchmarks use.
declare module 'js-csp' {
  interface CspChannel {
    close(): void;
  }
  interface Instruction {
    readonly __instruction: true;
  }
  interface AltsResult {
    value: unknown;
    channel: unknown;
  }
  type Op = CspChannel | [CspChannel, unknown];
  const csp: {
    chan(bufferOrNumber?: number): CspChannel;
    go(fn: () => Generator<Instruction, unknown, unknown>): CspChannel;
    take(ch: CspChannel): Instruction;
    put(ch: CspChannel, value: unknown): Instruction;
    alts(ops: Op[], options?: { default?: unknown; priority?: boolean }): Instruction;
    takeAsync(ch: CspChannel, callback: (value: unknown) => void): void;
    CLOSED: null;
    DEFAULT: unknown;
  };
  export type { AltsResult, CspChannel, Instruction };
  export default csp;
}
