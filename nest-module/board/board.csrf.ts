/**
 * CSRF protection of the board's actions (signed double-submit). The page sets a random nonce in
 * an HttpOnly, SameSite=Strict cookie and embeds HMAC(secret, nonce) in the page; an action must
 * send that token in the `x-gorx-csrf` header along with the cookie. Another site can neither
 * read the page's token nor set the header on a cross-site request, and a token fetched by an
 * attacker belongs to the attacker's own nonce. A present `Origin` must match `Host`, and a
 * present `Sec-Fetch-Site` must be `same-origin`.
 */
import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'gorx_board_csrf';
export const CSRF_HEADER = 'x-gorx-csrf';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
}

@Injectable()
export class BoardCsrf {
  private readonly secret = randomBytes(32);

  /** The nonce of the request's cookie, if it has a well-formed one. */
  nonceOf(req: RequestLike): string | null {
    const nonce = readCookie(header(req, 'cookie'), CSRF_COOKIE);
    return nonce !== null && /^[0-9a-f]{32}$/.test(nonce) ? nonce : null;
  }

  newNonce(): string {
    return randomBytes(16).toString('hex');
  }

  token(nonce: string): string {
    return createHmac('sha256', this.secret).update(nonce).digest('hex');
  }

  /** Why the action request must be refused, or null when it carries a valid token. */
  refusal(req: RequestLike): string | null {
    const site = header(req, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin') return `cross-site request (${site})`;
    const origin = header(req, 'origin');
    if (origin !== undefined && origin !== 'null') {
      let host: string;
      try {
        host = new URL(origin).host;
      } catch {
        return 'malformed Origin';
      }
      if (host !== header(req, 'host')) return 'Origin does not match Host';
    } else if (origin === 'null') return 'opaque Origin';
    const nonce = this.nonceOf(req);
    const sent = header(req, CSRF_HEADER);
    if (nonce === null || sent === undefined) return 'CSRF token missing';
    const expected = Buffer.from(this.token(nonce));
    const given = Buffer.from(sent);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return 'CSRF token invalid';
    }
    return null;
  }
}

function header(req: RequestLike, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readCookie(cookieHeader: string | undefined, name: string): string | null {
  if (cookieHeader === undefined) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
